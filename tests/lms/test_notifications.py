"""In-app notifications (rendered in the reader's language), the e-mail outbox, and sending it
through a real SMTP server on the loopback interface."""

import re
import socket
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.extensions import db
from lms.i18n import _l
from lms.mail import OutboxEmail, claim, queue_email, send_outbox
from lms.models import Account
from lms.notifications import Notification, link_to, notify, unread_count
from lms.roles import Role
from lms.worker_jobs import add_worker_job, run_worker_jobs, worker_jobs

from support import PASSWORD

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
#: A message already in the catalogs, so the test sees it translated.
WELCOME = _l("Welcome, %(name)s")


@pytest.fixture
def people(make):
    org = make.org("通知企业")
    return {"ann": make.account("ann", Role.LEARNER, org=org),
            "bob": make.account("bob", Role.LEARNER, org=org)}


def test_a_notification_stores_the_message_id_and_renders_in_the_readers_language(people):
    note = notify(people["ann"], WELCOME, name="Ann")
    db.session.commit()
    assert note.message == "Welcome, %(name)s" and note.params == {"name": "Ann"}
    with force_locale("en"):
        assert note.text == "Welcome, Ann"
    with force_locale("zh_CN"):
        assert note.text == "欢迎，Ann"


def test_dates_are_stored_as_data_and_shown_in_the_readers_format(people):
    note = notify(people["ann"], _l("Due on %(due)s"), due=date(2026, 6, 1))
    assert note.params == {"due": {"date": "2026-06-01"}}
    with force_locale("en"):
        assert "2026" in note.text and "Jun" in note.text


def test_link_to_builds_a_path_without_a_request(app):
    with app.app_context():
        assert link_to("notifications.index") == "/notifications/"
        assert link_to("no.such_endpoint") is None


def test_the_page_lists_only_the_readers_own_notifications_newest_first(client, login, people):
    notify(people["ann"], _l("first %(n)s"), n="ANN-1")
    notify(people["ann"], _l("second %(n)s"), n="ANN-2", link="/certificates/mine")
    notify(people["bob"], _l("bob's %(n)s"), n="BOB-SECRET")
    db.session.commit()
    login("ann")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "ANN-1" in html and "ANN-2" in html and "BOB-SECRET" not in html
    assert html.index("ANN-2") < html.index("ANN-1")
    assert 'href="/certificates/mine"' in html


def test_marking_read_touches_only_ones_own(client, login, people):
    mine = notify(people["ann"], WELCOME, name="x")
    theirs = notify(people["bob"], WELCOME, name="y")
    db.session.commit()
    login("ann")
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{mine.id}/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None


def test_mark_all_read_and_the_dashboard_tile(client, login, people):
    for n in range(3):
        notify(people["ann"], WELCOME, name=str(n))
    notify(people["bob"], WELCOME, name="b")
    db.session.commit()
    login("ann")
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<span class="num">3</span><span>Unread notifications</span>', html)
    header = html[:html.index('<nav class="main-nav"')]  # beside the account name in the page header
    assert 'href="/notifications/"' in header
    assert client.post("/notifications/read-all").status_code == 302
    assert unread_count(people["ann"]) == 0 and unread_count(people["bob"]) == 1
    html = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unread notifications" not in html


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_marking_read_is_a_post_with_csrf(strict_app, people):
    note = notify(people["ann"], WELCOME, name="x")
    db.session.commit()
    client = strict_app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert client.get(f"/notifications/{note.id}/read").status_code == 405
    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    page = client.get("/notifications/").get_data(as_text=True)
    assert client.post(f"/notifications/{note.id}/read",
                       data={"csrf_token": _csrf(page)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None


def test_an_email_copy_goes_to_accounts_with_an_address_in_their_language(people):
    people["ann"].email, people["ann"].locale = "ann@example.org", "en"
    notify(people["ann"], WELCOME, name="Ann", subject=_l("Welcome, %(name)s"), link="/x")
    notify(people["bob"], WELCOME, name="Bob")
    db.session.commit()
    rows = db.session.scalars(select(OutboxEmail)).all()
    assert [(r.to_address, r.subject) for r in rows] == [("ann@example.org", "Welcome, Ann")]
    assert "Welcome, Ann" in rows[0].body and rows[0].sent_at is None


def test_without_smtp_the_email_stays_in_the_outbox(app, people):
    assert not app.config["MAIL_SERVER"]
    row = queue_email("ann@example.org", "Subject", "Body")
    db.session.commit()
    assert send_outbox(NOW) == 0
    db.session.expire_all()
    row = db.session.get(OutboxEmail, row.id)
    assert row.sent_at is None and row.attempts == 0 and row.claimed_by is None


def test_the_outbox_command_lists_waiting_emails(runner, people):
    queue_email("ann@example.org", "Reminder subject", "Reminder body")
    db.session.commit()
    out = runner.invoke(args=["mail", "outbox"]).output
    assert "ann@example.org" in out and "Reminder subject" in out and "Reminder body" in out


def test_a_row_is_claimed_by_one_worker_only(app, people):
    row = queue_email("ann@example.org", "s", "b")
    db.session.commit()
    assert claim(row.id, NOW, "host-a:1") is True
    assert claim(row.id, NOW, "host-b:2") is False
    lapsed = NOW + timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    assert claim(row.id, lapsed, "host-b:2") is True  # host-a died holding it


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, configured as the app's."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "lms@example.org")
    yield received
    controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(received, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sending_through_a_local_smtp_server_delivers_each_email_once(smtp_server, people):
    people["ann"].email, people["ann"].locale = "ann@example.org", "en"
    notify(people["ann"], WELCOME, name="Ann", subject=_l("Welcome, %(name)s"))
    db.session.commit()
    assert send_outbox(NOW) == 1
    assert send_outbox(NOW + timedelta(hours=1)) == 0  # already sent: never again
    _wait_for(smtp_server, 1)
    time.sleep(0.1)
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "ann@example.org" and message["Subject"] == "Welcome, Ann"
    assert message["From"] == "lms@example.org"
    assert "Welcome, Ann" in message.get_payload(decode=True).decode()
    row = db.session.scalar(select(OutboxEmail))
    assert row.sent_at == NOW and row.attempts == 1 and row.last_error is None


def test_chinese_text_arrives_intact(smtp_server, people):
    people["ann"].email = "ann@example.org"  # no locale: the default, Chinese
    notify(people["ann"], WELCOME, name="王小明", subject=_l("Welcome, %(name)s"))
    db.session.commit()
    assert send_outbox(NOW) == 1
    _wait_for(smtp_server, 1)
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(smtp_server[0]["Subject"]))) == "欢迎，王小明"
    assert "欢迎，王小明" in smtp_server[0].get_payload(decode=True).decode()


def test_a_failed_send_is_recorded_and_retried_a_bounded_number_of_times(app, monkeypatch, people):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    row = queue_email("ann@example.org", "s", "b")
    db.session.commit()
    assert send_outbox(NOW) == 0
    db.session.expire_all()
    row = db.session.get(OutboxEmail, row.id)
    assert row.attempts == 1 and row.sent_at is None and "Connection" in row.last_error
    assert send_outbox(NOW + timedelta(seconds=10)) == 0  # not again before the claim lapses
    db.session.expire_all()
    assert db.session.get(OutboxEmail, row.id).attempts == 1
    step = timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    for n in range(1, 10):
        send_outbox(NOW + n * step)
    db.session.expire_all()
    assert db.session.get(OutboxEmail, row.id).attempts == app.config["MAIL_MAX_ATTEMPTS"]


def test_worker_jobs_run_each_round_and_a_failing_one_does_not_stop_the_others(app):
    calls = []

    def broken(now):
        raise RuntimeError("boom")

    def counted(now):
        calls.append(now)
        return 2

    before = worker_jobs(app)
    try:
        add_worker_job(app, "test_broken", broken)
        add_worker_job(app, "test_counted", counted)
        with app.app_context():
            done = run_worker_jobs(NOW)
        assert done["test_broken"] == -1 and done["test_counted"] == 2 and calls == [NOW]
        assert done["emails_sent"] == 0  # the core's own job is registered
    finally:
        app.extensions["lms.worker_jobs"] = before


def test_the_email_address_is_set_on_the_security_page(client, login, people):
    login("ann")
    assert 'name="email"' in client.get("/account/security").get_data(as_text=True)
    assert client.post("/account/security/email", data={"email": "not-an-address"}).status_code == 400
    assert client.post("/account/security/email", data={"email": " ann@example.org "}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, people["ann"].id).email == "ann@example.org"
    client.post("/account/security/email", data={"email": ""})
    db.session.expire_all()
    assert db.session.get(Account, people["ann"].id).email is None
