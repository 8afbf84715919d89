"""The ``lms`` command: Flask's commands plus demo data, admin creation, backup and translations."""

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from lms.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def main() -> None:
    """Entry point of the ``lms`` console script."""
    from lms.app import create_app

    FlaskGroup(create_app=create_app, help="Safety-training LMS administration.")(prog_name="lms")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo dataset and print the demo accounts."""
    from lms.demo import DEMO_PASSWORD, database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("Demo data already present; nothing loaded.")
        return
    accounts = load_demo()
    db.session.commit()
    click.echo(f"Demo data loaded. Every demo account uses the password: {DEMO_PASSWORD}")
    for account in accounts:
        click.echo(f"  {account.username:<18} {account.role.value:<20} {account.scope}")


@click.command("reference-data")
@with_appcontext
def reference_data_command() -> None:
    """Add the regions and rule values shipped with this release that the database lacks."""
    from lms.regions import seed_regions
    from lms.rules import seed_rules

    regions, rules = seed_regions(), seed_rules()
    db.session.commit()
    click.echo(f"Reference data: {regions} regions and {rules} rule values added.")


@click.command("demo-accounts")
@with_appcontext
def demo_accounts_command() -> None:
    """Print the demo accounts that exist in this database."""
    from sqlalchemy import select

    from lms.demo import DEMO_PASSWORD
    from lms.models import Account

    names = db.session.scalars(select(Account.username).order_by(Account.id)).all()
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}): {', '.join(names)}")


@click.command("create-admin")
@click.argument("username")
@click.option("--display-name", default="System admin")
@click.password_option()
@with_appcontext
def create_admin_command(username: str, display_name: str, password: str) -> None:
    """Create a system-admin account."""
    from lms.auth.passwords import hash_password
    from lms.auth.services import find_account
    from lms.models import Account, RoleGrant
    from lms.roles import Role

    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="password")
    if find_account(username):
        raise click.ClickException(f"an account named {username} exists already")
    account = Account(username=username, display_name=display_name,
                      password_hash=hash_password(password))
    account.grants.append(RoleGrant(role=Role.SYSTEM_ADMIN.value))
    db.session.add(account)
    db.session.commit()
    click.echo(f"System admin {username} created.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write every table to a zip file at PATH."""
    from lms.backup import write_backup

    counts = write_backup(path)
    click.echo(f"Backup written to {path}: {sum(counts.values())} rows in {len(counts)} tables.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Load a backup from PATH into an empty, migrated database."""
    from lms.backup import RestoreRefused, restore_backup

    try:
        counts = restore_backup(path)
    except RestoreRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")


@click.group("translate")
def translate_group() -> None:
    """Extract, update and compile the message catalogs."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_group.command("update")
def translate_update() -> None:
    """Extract messages from code and templates and merge them into every catalog."""
    pot = str(TRANSLATIONS / "messages.pot")
    # One line width for both steps, so that an update rewraps nothing it did not change.
    _pybabel("extract", "-F", "pyproject.toml", "-k", "_l", "-k", "lazy_pgettext:1c,2", "--no-location",
             "--sort-output", "--omit-header", "-w", "100", "-o", pot, "lms", "courses", "exams",
             "certificates")
    _pybabel("update", "-i", pot, "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete",
             "-w", "100")


@translate_group.command("compile")
def translate_compile() -> None:
    """Compile the catalogs to .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def register_cli(app: Flask) -> None:
    """Attach the core commands to the app's CLI."""
    for command in (demo_command, demo_accounts_command, reference_data_command,
                    create_admin_command, backup_command, restore_command, translate_group):
        app.cli.add_command(command)
