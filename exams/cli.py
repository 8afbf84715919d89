"""``lms questions import|export``: thin commands over the import and export services."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from exams.formats import FORMATS
from exams.formats.common import FileError
from exams.labels import position_label
from exams.models import QuestionBank
from exams.services.imports import confirm_import, export_bank, stage_import
from lms import clock
from lms.extensions import db
from lms.spreadsheets import SpreadsheetRefused, read_file


@click.group("questions")
def questions_group() -> None:
    """Import and export question banks."""


def _bank(code: str) -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        raise click.ClickException(f"no bank with code {code}")
    return bank


class FileRefused(click.ClickException):
    """The file as a whole was refused (unreadable, or past a size limit); nothing was written."""

    exit_code = 2


class _Cli:
    """Stands in for the uploading account in audit records written from the command line."""

    id = None


@questions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "code", required=True, help="Code of the bank to import into.")
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto")
@click.option("--knowledge-point", "kp", default=None, help="Code for items that name none.")
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid items even when others fail.")
@with_appcontext
def import_command(file: Path, code: str, fmt: str, kp: str | None, dry_run: bool,
                   skip_invalid: bool) -> None:
    """Check FILE and import its questions; with any rejected item nothing is written unless told."""
    bank = _bank(code)
    with current_app.test_request_context():  # messages are translated, which needs a request
        try:
            staged = stage_import(bank, _Cli(), file.name, read_file(file), fmt=fmt, default_kp=kp)
        except (FileError, SpreadsheetRefused) as exc:
            db.session.rollback()
            # Rendered here: the lazy message needs the request context to pick its language.
            raise FileRefused(str(exc.args[0])) from None
    encoding = f", encoding {staged.encoding}" if staged.encoding else ""
    click.echo(f"{file.name}: format {staged.fmt}{encoding}; {len(staged.items)} valid, "
               f"{len(staged.errors)} rejected")
    with current_app.test_request_context():
        for error in staged.errors:
            click.echo(f"  {position_label(error['pos'])}: {error['reason']}")
    if dry_run or (staged.errors and not skip_invalid):
        db.session.rollback()
        if dry_run:
            click.echo("Dry run: nothing written.")
            return
        raise click.ClickException("nothing written: fix the rejected items or pass --skip-invalid")
    ids = confirm_import(staged, None, clock.now())
    db.session.commit()
    click.echo(f"Imported {len(ids)} questions into {bank.code}.")


@questions_group.command("export")
@click.option("--bank", "code", required=True)
@click.option("--format", "fmt", type=click.Choice(("xlsx", "moodlexml")), required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(code: str, fmt: str, out: Path) -> None:
    """Write the whole bank to OUT as Excel or Moodle XML."""
    data = export_bank(_bank(code), fmt, None)
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Wrote {out} ({len(data)} bytes).")

