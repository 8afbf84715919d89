"""Pages speak their reader's language: rule names instead of rule keys, audit events as sentences,
plain values instead of JSON, and every rule key and action code has its words."""

import io
import re
import tomllib
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from exams.demo import add_knowledge_tree
from exams.formats.table import COLUMNS
from exams.models import BankPurpose, BankTier, QuestionBank, QuestionImport
from exams.services.blueprints import special_ops_theory
from lms.audit import record_event
from lms.audit_sentences import GROUPS, SENTENCES
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role
from lms.rule_labels import RULE_LABELS

from support import ROOT

RULE_KEYS = {rule["key"] for rule in
             tomllib.loads((ROOT / "lms" / "data" / "rules.toml").read_text(encoding="utf-8"))["rule"]}
#: An action code written by record_event("...") anywhere in the application's code.
RECORD_EVENT = re.compile(r"""record_event\(\s*["']([\w.]+)["']""")
#: JSON in a page: an object, a quoted key, or a literal standing alone ("true/false" is prose).
JSON_SHAPES = re.compile(r'\{"|": |(?<![\w/])(?:true|false|null)(?![\w/])')
ZH = {"Accept-Language": "zh-CN"}


def action_codes() -> set[str]:
    """Every action code the code records."""
    codes = set()
    for package in ("lms", "courses", "exams", "certificates"):
        for path in (ROOT / package).rglob("*.py"):
            codes |= set(RECORD_EVENT.findall(path.read_text(encoding="utf-8")))
    return codes


class ShownText(HTMLParser):
    """The text a reader sees: everything but scripts, styles, the window title and attributes."""

    HIDDEN = {"script", "style", "title"}

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def shown_text(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    return "\n".join(parser.texts)


def developer_text(html: str) -> list[str]:
    """Rule keys, action codes and JSON shapes in the visible text of a page."""
    text = shown_text(html)
    found = [key for key in RULE_KEYS if key in text]
    found += [code for code in action_codes() if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
    found += JSON_SHAPES.findall(text)
    return found


def test_every_rule_key_has_a_name():
    assert RULE_KEYS - RULE_LABELS.keys() == set()


def test_every_action_code_has_a_sentence_and_a_group(app):
    codes = action_codes()
    assert len(codes) > 30
    assert codes - SENTENCES.keys() == set()
    grouped = set().union(*(actions for _label, actions in GROUPS.values()))
    assert codes - grouped == set()


@pytest.fixture
def world(make):
    """An exam centre with a bank, a staged question import and a blueprint; an enterprise with its
    admin; a system admin; one audit event of every action code, touching real objects."""
    make.rules()
    add_knowledge_tree()
    centre = make.org("无锡考点", kind=OrgKind.EXAM_CENTRE, industry=None)
    ent = make.org("无锡甲化工", high_risk=True, industry="hazardous_chemicals")
    bank = QuestionBank(code="EXAM", name="考试题库", purpose=BankPurpose.EXAM, tier=BankTier.PROVINCIAL,
                        organization=centre)
    db.session.add(bank)
    blueprint = special_ops_theory(centre, "LV", "低压电工理论", "1.2", datetime(2026, 3, 1).date())
    root = make.account("root", Role.SYSTEM_ADMIN)
    root.display_name = "王安全"
    editor = make.account("editor", Role.QUESTION_EDITOR, org=centre)
    ent_admin = make.account("entadmin", Role.ENTERPRISE_ADMIN, org=ent)
    make.account("regulator", Role.REGULATOR, region_code="320200")
    db.session.commit()
    details = {"username": "zhangsan", "count": 3, "role": "trainer", "added": 12, "rejected_rows": 2,
               "rejected": 1, "status": "published", "question_ids": [1, 2], "version": 2, "cells": 2,
               "papers": 30, "score": 85.0, "passed": True, "right": 4, "asked": 5, "course_ids": [1],
               "people": 3, "reason": "future_time", "class_hours": 8, "drill": "escape", "fmt": "xlsx",
               "bank": "EXAM", "scopes": ["drill-results:write"], "region": None,
               "until": datetime(2026, 3, 1, tzinfo=UTC).isoformat()}
    targets = [ent_admin, bank, blueprint, None]
    for n, code in enumerate(sorted(action_codes())):
        record_event(code, actor=[root, editor, ent_admin, None][n % 4], target=targets[n % 4],
                     organization_id=[ent.id, centre.id][n % 2], ip="10.0.0.7", **details)
    db.session.commit()
    return {"bank": bank, "blueprint": blueprint, "centre": centre, "ent": ent}


def _question_sheet() -> bytes:
    book = Workbook()
    book.active.append([header for _field, header in COLUMNS])
    book.active.append(["单选", "第一题", "甲", "乙", "丙", None, None, None, None, None, "B", "解析",
                        "fire.class", 2])
    book.active.append(["单选", "", "甲", "乙", None, None, None, None, None, None, "A", "", "fire.class", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def page(client, url: str) -> str:
    response = client.get(url, headers=ZH)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["root", "regulator", "entadmin"])
def test_rules_page_names_rules_and_writes_values_plainly(client, login, world, username):
    login(username)
    html = page(client, "/rules")
    assert developer_text(html) == []
    assert "19.5–23.5" in shown_text(html)
    assert 'title="' in html and "confined_space.oxygen_pct" in html  # kept for administrators


@pytest.mark.parametrize("username", ["root", "entadmin", "regulator"])
def test_audit_page_shows_sentences(client, login, world, username):
    login(username)
    html = page(client, "/audit")
    assert developer_text(html) == []
    assert "10.0.0.7" in html
    if username == "root":
        assert f'href="/exams/banks/{world["bank"].id}"' in html
        assert "王安全" in events(html)


def events(html: str) -> str:
    """The visible text of the event table."""
    return shown_text(html[html.index("<tbody>"):html.index("</tbody>")])


def test_audit_filters_by_who_what_and_when(client, login, world):
    login("root")
    only_editor = events(page(client, "/audit?who=editor"))
    assert "王安全" not in only_editor and "editor" in only_editor
    assert "考试题库" not in events(page(client, "/audit?group=sign_in"))
    assert "10.0.0.7" not in events(page(client, "/audit?from=2001-01-01&to=2001-01-02"))
    assert "10.0.0.7" in events(page(client, "/audit?from=2000-01-01&group=question_bank"))
    bad = client.get("/audit?from=yesterday&group=nonsense", headers={"Accept-Language": "en"})
    assert bad.status_code == 200
    text = shown_text(bad.get_data(as_text=True))
    assert "is not a date" in text and "Unknown kind of event" in text and "10.0.0.7" in text


def test_blueprint_page_names_its_rules(client, login, world):
    login("editor")
    html = page(client, f"/exams/blueprints/{world['blueprint'].id}")
    assert developer_text(html) == []


def test_bank_import_review_reads_plainly(client, login, world):
    login("editor")
    response = client.post(f"/exams/banks/{world['bank'].id}/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_question_sheet()), "题库.xlsx"), "fmt": "auto",
                                 "default_difficulty": "3", "default_kp": ""}, headers=ZH)
    assert response.status_code == 302
    staged = db.session.scalar(select(QuestionImport).order_by(QuestionImport.id.desc()))
    assert developer_text(page(client, f"/exams/imports/{staged.id}")) == []


def test_audit_sentences_escape_what_users_typed(client, login, world):
    """A username or display name planted with markup is shown as text, never run."""
    planted = '<img src=x onerror="alert(1)">'
    record_event("auth.login_failed", actor=None, username=planted, reason="unknown", ip="10.0.0.8")
    db.session.commit()
    login("root")
    html = page(client, "/audit")
    assert planted not in html and "&lt;img src=x onerror=" in html
