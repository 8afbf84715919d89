"""``lms questions import|export``: thin commands over the import and export services."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from exams.formats import FORMATS
from exams.formats.common import NEW_KP, UNKNOWN_CATEGORY_POLICIES, FileError
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
@click.option("--knowledge-point", "kp", default=None,
              help="Code for items that name none; with --unknown-categories create or default, "
                   "the knowledge point new categories go under or their items go to.")
@click.option("--unknown-categories", "unknown", type=click.Choice(UNKNOWN_CATEGORY_POLICIES),
              default="reject", show_default=True,
              help="What to do with a file category that matches no knowledge point.")
@click.option("--publish", is_flag=True, help="Practice banks: publish the questions at once "
              "(exam-bank questions always arrive as drafts).")
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid items even when others fail.")
@with_appcontext
def import_command(file: Path, code: str, fmt: str, kp: str | None, unknown: str, publish: bool,
                   dry_run: bool, skip_invalid: bool) -> None:
    """Check FILE and import its questions; with any rejected item nothing is written unless told.

    Exit status: 0 all imported, 1 some items rejected (the rest imported with --skip-invalid),
    2 the file as a whole refused. The summary is printed in every case.
    """
    bank = _bank(code)
    with current_app.test_request_context():  # messages are translated, which needs a request
        try:
            staged = stage_import(bank, _Cli(), file.name, read_file(file), fmt=fmt, default_kp=kp,
                                  unknown_categories=unknown, publish=publish)
        except (FileError, SpreadsheetRefused) as exc:
            db.session.rollback()
            # Rendered here: the lazy message needs the request context to pick its language.
            raise FileRefused(str(exc.args[0])) from None
        _print_summary(file, staged)
    if dry_run or (staged.errors and not skip_invalid):
        db.session.rollback()
        click.echo("Dry run: nothing written." if dry_run else
                   "Nothing written: fix the rejected items or pass --skip-invalid.")
    else:
        ids = confirm_import(staged, None, clock.now(), unknown_categories="create", under=kp)
        db.session.commit()
        click.echo(f"Imported {len(ids)} questions into {bank.code}.")
    if staged.errors:
        raise SystemExit(1)


def _print_summary(file: Path, staged) -> None:
    encoding = f", encoding {staged.encoding}" if staged.encoding else ""
    click.echo(f"{file.name}: format {staged.fmt}{encoding}; {len(staged.items)} valid, "
               f"{len(staged.errors)} rejected")
    for error in staged.errors:
        click.echo(f"  {position_label(error['pos'])}: {error['reason']}")
    for path, target in staged.details.get("categories", {}).items():
        shown = f"new knowledge point {target[len(NEW_KP):]}" if target.startswith(NEW_KP) else target
        click.echo(f"  category {path} -> {shown}")
    for note in staged.details.get("notes", []):
        click.echo(f"  note, {position_label(note['pos'])}: {note['reason']}")


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

