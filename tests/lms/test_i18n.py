"""Simplified Chinese is complete: every message is translated and no page shows untranslated text."""

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from lms.extensions import db
from lms.models import RosterImport
from lms.roles import Role

from support import PASSWORD, ROOT

TRANSLATIONS = ROOT / "lms" / "translations"
ZH_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
#: Words that stay as they are in Chinese text: file formats, product names and the standard
#: abbreviations of occupational exposure limits (GBZ 2.1: PC-TWA, PC-STEL).
ALLOWED_LATIN = {"Excel", "xlsx", "API", "PDF", "CSV", "MB", "LEL", "TWA", "STEL", "GBZ"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list:
    """Messages extracted from the code and templates right now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "pyproject.toml", "-k", "_l", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "lms",
                    "courses", "exams", "certificates"], check=True, cwd=ROOT, capture_output=True)
    return [m for m in read_catalog(pot) if m.id]


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_extracted_message_is_translated_in_zh(extracted):
    catalog = read_catalog(ZH_PO)
    problems = []
    for message in extracted:
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found and isinstance(found.string, tuple) else (
            (found.string,) if found else ())
        if found is None or not all(strings) or found.fuzzy:
            problems.append(message.id)
    assert not problems, f"missing or untranslated in zh_CN: {problems}"


def test_placeholders_survive_translation():
    for message in read_catalog(ZH_PO):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), source


def test_catalogs_compile():
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d",
                             str(TRANSLATIONS), "--statistics"], capture_output=True, text=True,
                            check=True)
    assert "100%" in result.stderr + result.stdout


class VisibleText(HTMLParser):
    """Collect text a reader sees in the page body.

    Skipped: scripts, the window title (it names the record shown), and elements marked
    translate="no" (user data and codes) or lang="en" (the language switch).
    """

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        skip = (tag in {"script", "style", "title"} or attrs.get("translate") == "no"
                or (attrs.get("lang") or "").startswith("en"))
        self.stack.append(skip or (self.stack[-1] if self.stack else False))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(data.strip())


def untranslated_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    words = re.findall(r"[A-Za-z]{3,}", " ".join(parser.texts))
    return [w for w in words if w not in ALLOWED_LATIN]


@pytest.fixture
def signed_in_admin(client, make, login):
    ent = make.org("无锡演示化工", high_risk=True, industry="hazardous_chemicals")
    make.person("周安全", org=ent)
    make.rules()
    admin = make.account("root", Role.SYSTEM_ADMIN)
    admin.display_name = "管理员"
    db.session.add(RosterImport(organization_id=ent.id, uploaded_by_id=admin.id, filename="a.xlsx",
                                valid_rows=[], errors=[{"row": 3, "reason": "身份证号校验码不正确。"}]))
    db.session.commit()
    login("root")
    return ent


PAGES = ["/", "/dashboard", "/organizations", "/organizations/1", "/people/1", "/rules", "/audit",
         "/accounts", "/accounts/1", "/account/tokens", "/roster/", "/roster/imports/1",
         "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_in_chinese_show_no_untranslated_text(client, signed_in_admin, path):
    response = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code in {200, 404}
    assert 'lang="zh-CN"' in response.get_data(as_text=True)
    assert untranslated_words(response.get_data(as_text=True)) == []


def test_signed_out_pages_in_chinese(client):
    for path in ("/", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert untranslated_words(html) == [], path


def test_language_switch_changes_the_page_and_is_remembered(client):
    assert "安全生产培训考试系统" in client.get("/").get_data(as_text=True)
    response = client.post("/lang", data={"code": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html
    client.post("/lang", data={"code": "zh_CN", "next": "/"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/lang", data={"code": "xx"}).status_code == 400


def test_language_switch_is_a_post_with_csrf(strict_app):
    """A link or an image on another site must not change anyone's stored language."""
    client = strict_app.test_client()
    assert client.get("/lang/en?next=/").status_code == 404
    assert client.post("/lang", data={"code": "en", "next": "/"}).status_code == 400
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_chosen_language_is_kept_per_account(client, make, login):
    """The choice is stored on the account, so it follows the user to another browser."""
    from lms.models import Account

    make.account("carol", Role.LEARNER, org=make.org("语言企业"))
    login("carol")
    client.post("/lang", data={"code": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.scalar(select(Account.locale).where(Account.username == "carol")) == "en"
    other = client.application.test_client()
    other.post("/login", data={"username": "carol", "password": PASSWORD})
    assert 'lang="en"' in other.get("/dashboard").get_data(as_text=True)


def test_english_catalog_exists_for_every_message(extracted):
    english = read_catalog(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    missing = [m.id for m in extracted if english.get(m.id, context=m.context) is None]
    assert not missing
