"""Helpers shared by the tests: test app configuration, valid ID numbers and data factories."""

import itertools
import os
import random
from datetime import date
from pathlib import Path

from sqlalchemy import text

from lms import create_app
from lms.auth.passwords import hash_password
from lms.extensions import db
from lms.idcard import check_digit
from lms.lru import clear_all as clear_caches
from lms.models import Account, Employment, Organization, OrgKind, Person, Post, RoleGrant
from lms.regions import region_by_code, seed_regions
from lms.roles import Role
from lms.rules import seed_rules

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "build" / "screenshots"


def database_url_for_tests(tmp: Path) -> str:
    """PostgreSQL when LMS_TEST_DATABASE_URL is set, otherwise a SQLite file (shared by threads)."""
    return os.environ.get("LMS_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


def make_test_app(tmp: Path, **overrides):
    """An app configured for tests; CSRF off unless the test turns it on."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url_for_tests(tmp),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


_sequence = itertools.count(1)


def valid_id_number(region_code: str = "320213", born: date = date(1990, 5, 17),
                    seq: int | None = None) -> str:
    """A GB 11643-valid ID number."""
    first17 = f"{region_code}{born:%Y%m%d}{(seq if seq is not None else next(_sequence)) % 1000:03d}"
    return first17 + check_digit(first17)


class Factory:
    """Creates regions, organizations, people and accounts inside the current app context."""

    def regions(self):
        seed_regions()
        db.session.commit()

    def rules(self):
        seed_rules()
        db.session.commit()

    def org(self, name: str, region_code: str = "320213", kind: OrgKind = OrgKind.ENTERPRISE,
            industry: str | None = "machinery", high_risk: bool = False) -> Organization:
        org = Organization(name=name, code=f"TEST{next(_sequence):08d}", kind=kind,
                           region=region_by_code(region_code), industry=industry,
                           is_high_risk=high_risk)
        db.session.add(org)
        db.session.commit()
        return org

    def person(self, name: str, org: Organization | None = None, post: Post = Post.OTHER,
               region_code: str = "320213", subtype: str | None = None) -> Person:
        number = valid_id_number(region_code, date(1980 + random.randrange(20), 3, 9))
        person = Person(id_number=number, name=name, birth_date=date(1985, 3, 9))
        db.session.add(person)
        if org is not None:
            db.session.add(Employment(person=person, organization=org, post=post,
                                      start_date=date(2020, 1, 1), operation_subtype=subtype,
                                      operation_category=subtype.split(".")[0] if subtype else None))
        db.session.commit()
        return person

    def account(self, username: str, role: Role | None = None, org: Organization | None = None,
                region_code: str | None = None, person: Person | None = None) -> Account:
        account = Account(username=username, display_name=username,
                          password_hash=hash_password(PASSWORD), person=person)
        if role is not None:
            region = region_by_code(region_code) if region_code else None
            account.grants.append(RoleGrant(role=role.value, organization=org, region=region))
        db.session.add(account)
        db.session.commit()
        return account




def roster_workbook(rows: list[list], header: list[str] | None = None) -> bytes:
    """An in-memory roster workbook with the template's header (or another one)."""
    import io

    from openpyxl import Workbook

    from lms.roster.columns import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or [h for _f, h, _w in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class FreshRequestClient:
    """Mixin for the test client: forget per-request caches kept on ``g`` between requests.

    Tests keep an application context open so they can use the database directly; Flask then
    reuses that context (and its ``g``) for every test request. A real server starts each request
    with a fresh ``g``, so the caches Flask-Login and Flask-Babel keep there are dropped here.
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            for name in ("_login_user", "_flask_babel"):
                g.pop(name, None)
        return super().open(*args, **kwargs)


def empty_all_tables() -> None:
    """Delete every row (PostgreSQL also restarts its id counters).

    The audit log refuses deletes in the database itself; here alone, between tests, its triggers
    stand aside while the rows go: disabled on PostgreSQL, and on SQLite (which cannot disable them)
    dropped and then made again from their own stored SQL, exactly as they were.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    else:
        connection = db.session.connection()
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for table in tables:
            db.session.execute(table.delete())
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
    db.session.commit()
    # Ids start again in the emptied tables: copies of old rows cached in memory must go too.
    clear_caches()


def at_once(*calls):
    """Run the callables in threads released together; return their results in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=10)
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def slowed(function, seconds: float = 0.4):
    """``function`` that first waits, widening the window in which concurrent requests overlap."""
    import time
    from functools import wraps

    @wraps(function)
    def wrapper(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)

    return wrapper
