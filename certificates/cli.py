"""``lms certificates ...``: check a QR payload offline, rotate the signing key, export public keys."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext


@click.group("certificates")
def certificates_group() -> None:
    """Certificates."""


def _instance_path() -> str:
    """The app's instance folder; building the app touches neither the database nor the network."""
    info = click.get_current_context().find_object(ScriptInfo)
    app = info.load_app() if info is not None else current_app
    return app.instance_path


@certificates_group.command("verify-qr")
@click.argument("payload")
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM file of public keys (an export) to check with instead of the instance folder.")
def verify_qr_command(payload: str, public_key: Path | None) -> None:
    """Check a scanned QR payload (the URL or the token) with no database and no network.

    Exit status 0 when the signature is good (the facts are printed), 1 with the reason otherwise.
    """
    from certificates import signing

    if public_key is not None:
        try:
            keys = signing.load_public_keys(public_key.read_bytes())
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--public-key") from error
    else:
        keys = signing.public_keys(_instance_path())
    try:
        facts = signing.verify_payload(payload, keys)
    except signing.BadPayload as bad:
        click.echo(f"INVALID: {bad} ({bad.reason})", err=True)
        raise SystemExit(1) from None
    click.echo("VALID signature")
    for label, value in (("number", facts.number), ("name", facts.name),
                         ("ID number", facts.masked_id), ("type", facts.cert_type.value),
                         ("operation", facts.operation_subtype or "-"),
                         ("issued", facts.issued_on.isoformat()),
                         ("expires", facts.expires_on.isoformat() if facts.expires_on else "-"),
                         ("key", facts.key_id)):
        click.echo(f"{label:>10}: {value}")
    click.echo("Signed facts only: the registry (revocation, reviews) is checked on the verify page.")


@certificates_group.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new current signing key; payloads signed with the old ones keep verifying."""
    from certificates import signing

    kid = signing.rotate(_instance_path())
    click.echo(f"New current key: {kid}")


@certificates_group.command("export-public-keys")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_public_keys_command(out: Path) -> None:
    """Write every public key (old and current) to OUT as PEM, for inspectors' offline apps."""
    from certificates import signing

    instance = _instance_path()
    signing.current_key_id(instance)
    keys = signing.public_keys(instance)
    out.write_text(signing.public_keys_pem(keys))
    click.echo(f"Wrote {len(keys)} public key(s) to {out}: {', '.join(sorted(keys))}")


@certificates_group.command("print")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--session", "session_id", type=int, help="Certificates from the passes of this exam session.")
@click.option("--enterprise", "enterprise_id", type=int, help="Certificates of this enterprise's employees.")
@click.option("--issued-from", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or after (YYYY-MM-DD).")
@click.option("--issued-to", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or before (YYYY-MM-DD).")
@click.option("--workers", type=int, default=None, help="Drawing processes (default: the usable cores).")
@with_appcontext
def print_command(out: Path, session_id, enterprise_id, issued_from, issued_to, workers) -> None:
    """Write the chosen issued certificates to OUT as one print-ready PDF, two to an A4 page."""
    from certificates.pdf_batch import render_batch
    from certificates.printing import print_run

    if not any((session_id, enterprise_id, issued_from, issued_to)):
        raise click.UsageError("Choose the certificates: --session, --enterprise or "
                               "--issued-from/--issued-to.")
    ids = print_run(session_id=session_id, enterprise_id=enterprise_id,
                    issued_from=issued_from.date() if issued_from else None,
                    issued_to=issued_to.date() if issued_to else None)
    if not ids:
        raise click.ClickException("No issued certificate matches.")
    with click.progressbar(length=len(ids), label="Drawing certificates") as bar:
        done = 0

        def advance(drawn_so_far: int) -> None:
            nonlocal done
            bar.update(drawn_so_far - done)
            done = drawn_so_far

        drawn = render_batch(ids, out, workers=workers, progress=advance)
    click.echo(f"Wrote {drawn} certificate(s) to {out}")
