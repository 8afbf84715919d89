"""Blueprints: defaults from the rules, editing cells row by row, and what the bank lacks."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from exams.assembly import CellShortage, load_pool, shortages
from exams.models import Blueprint, BlueprintCell, KnowledgePoint, QuestionBank, QuestionType
from lms.audit import record_event
from lms.catalog import citation
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Organization, Post
from lms.rules import rule_at

#: Principal/safety-manager mix: the counts are [U] in the domain reference, so they stay data.
PRINCIPAL_DEFAULT_MIX = {"true_false": 50, "single": 40, "multiple": 10}

#: Rules whose value a paper takes at the exam's date (not the blueprint's), and the paper field.
RULED_FIELDS = {
    "special_ops.exam.theory_minutes": "duration_minutes",
    "special_ops.exam.pass_mark": "pass_mark",
    "principal_certificate.exam.minutes": "duration_minutes",
    "principal_certificate.exam.pass_mark": "pass_mark",
}


class RulesChanged(ValueError):
    """A rule the blueprint's questions were laid out by has another value on the exam's date."""


def _versions(*answers) -> dict:
    return {a.key: {"value": a.value, "version": a.version, "tag": a.tag} for a in answers}


def special_ops_theory(org: Organization, code: str, name: str, operation_code: str,
                       today: date) -> Blueprint:
    """The special-operations theory paper: counts, points, minutes and pass mark from the rules
    in force where the organization is."""
    paper = rule_at("special_ops.exam.theory_paper", today, org.region)
    minutes = rule_at("special_ops.exam.theory_minutes", today, org.region)
    mark = rule_at("special_ops.exam.pass_mark", today, org.region)
    each = paper.value["points_each"]
    blueprint = Blueprint(code=code, name=name, exam_kind="special_ops_theory", organization=org,
                          post=Post.SPECIAL_OPERATIONS.value, operation_code=operation_code,
                          duration_minutes=minutes.value, pass_mark=mark.value,
                          points={"true_false": each, "single": each},
                          rule_versions=_versions(paper, minutes, mark))
    blueprint.cells = [BlueprintCell(qtype=QuestionType.TRUE_FALSE, count=paper.value["true_false"]),
                       BlueprintCell(qtype=QuestionType.SINGLE, count=paper.value["single_choice"])]
    db.session.add(blueprint)
    db.session.flush()
    return blueprint


def principal_paper(org: Organization, code: str, name: str, post: str, today: date,
                    mix: dict[str, int] | None = None) -> Blueprint:
    """Principal / safety-manager paper: pass mark and minutes from the rules, the mix is data."""
    minutes = rule_at("principal_certificate.exam.minutes", today, org.region)
    mark = rule_at("principal_certificate.exam.pass_mark", today, org.region)
    mix = mix or PRINCIPAL_DEFAULT_MIX
    blueprint = Blueprint(code=code, name=name, exam_kind="principal", organization=org, post=post,
                          duration_minutes=minutes.value, pass_mark=mark.value,
                          points={t: 1 for t in mix}, rule_versions=_versions(minutes, mark),
                          counts_unconfirmed=True)
    blueprint.cells = [BlueprintCell(qtype=QuestionType(t), count=n) for t, n in mix.items()]
    db.session.add(blueprint)
    db.session.flush()
    return blueprint


def terms_on(blueprint: Blueprint, exam_date: date) -> dict:
    """Duration, pass mark and rule versions a paper for an exam on ``exam_date`` carries.

    Values governed by a rule come from the rule in force on the exam's date where the blueprint's
    organization is, whatever was in force when the blueprint was made. A rule that decided the
    layout of the questions (the paper's composition) must still hold, else RulesChanged.
    """
    region = blueprint.organization.region
    terms = {"duration_minutes": blueprint.duration_minutes, "pass_mark": blueprint.pass_mark}
    versions = {}
    for key, recorded in blueprint.rule_versions.items():
        answer = rule_at(key, exam_date, region)
        versions[key] = {"value": answer.value, "version": answer.version, "tag": answer.tag}
        if key in RULED_FIELDS:
            terms[RULED_FIELDS[key]] = answer.value
        elif answer.value != recorded["value"]:
            raise RulesChanged(_l("On %(day)s the paper is laid out by another rule (%(version)s) than "
                                  "the one this blueprint was made with. Make a new blueprint from "
                                  "the rules.", day=exam_date.isoformat(), version=citation(answer.version)))
    return {**terms, "rule_versions": versions}


#: Blank rows the cell editor offers for new cells (the page works without JavaScript).
EXTRA_CELL_ROWS = 3
#: The editor's knowledge-point choice meaning "any knowledge point".
ANY_KP = "any"


def cell_rows(blueprint: Blueprint, extra: int = EXTRA_CELL_ROWS) -> list[dict]:
    """The cell editor's rows: one per cell, then ``extra`` blank rows to add cells."""
    rows = [{"qtype": c.qtype.value,
             "knowledge_point": str(c.knowledge_point_id) if c.knowledge_point_id else ANY_KP,
             "difficulty_min": c.difficulty_min, "difficulty_max": c.difficulty_max, "count": c.count,
             "remove": False} for c in blueprint.cells]
    blank = {"qtype": "", "knowledge_point": ANY_KP, "difficulty_min": None, "difficulty_max": None,
             "count": None, "remove": False}
    return rows + [dict(blank) for _ in range(extra)]


def _is_blank(row: dict) -> bool:
    return not row.get("qtype") and row.get("count") is None


def _row_problem(row: dict, kps: dict) -> str | None:
    """Why one editor row is not a cell, or None when it is one."""
    if row.get("qtype") not in {t.value for t in QuestionType}:
        return _l("Choose a question type.")
    if row.get("knowledge_point", ANY_KP) != ANY_KP and row["knowledge_point"] not in kps:
        return _l("Choose a knowledge point from the list, or “any”.")
    low, high = row.get("difficulty_min") or 1, row.get("difficulty_max") or 5
    if not 1 <= low <= high <= 5:
        return _l("The difficulty runs from 1 to 5, and “from” may not exceed “to”.")
    if row.get("count") is None or not 1 <= row["count"] <= 1000:
        return _l("Give the number of questions, from 1 to 1000.")
    return None


def cells_from_rows(rows: list[dict]) -> tuple[list[BlueprintCell], dict[int, str]]:
    """Cells from the editor's rows, and the problem of each bad row (by position, from 1).

    Blank rows and rows marked for removal are left out; an empty difficulty means 1 to 5.
    """
    kps = {str(kp.id): kp for kp in db.session.scalars(select(KnowledgePoint))}
    cells, problems = [], {}
    for number, row in enumerate(rows, start=1):
        if row.get("remove") or _is_blank(row):
            continue
        problem = _row_problem(row, kps)
        if problem:
            problems[number] = problem
            continue
        kp = row.get("knowledge_point", ANY_KP)
        cells.append(BlueprintCell(qtype=QuestionType(row["qtype"]), count=row["count"],
                                   knowledge_point=None if kp == ANY_KP else kps[kp],
                                   difficulty_min=row.get("difficulty_min") or 1,
                                   difficulty_max=row.get("difficulty_max") or 5))
    return cells, problems


def update_blueprint(blueprint: Blueprint, actor: Account, *, name: str, duration_minutes: int,
                     pass_mark: float, points: dict, partial_credit: bool, cells: list) -> None:
    """Replace the blueprint's settings and cells."""
    blueprint.name, blueprint.duration_minutes, blueprint.pass_mark = name, duration_minutes, pass_mark
    blueprint.points, blueprint.partial_credit = points, partial_credit
    blueprint.cells = cells
    db.session.flush()
    record_event("exams.blueprint.updated", actor=actor, target=blueprint,
                 organization_id=blueprint.organization_id, cells=len(cells))


@dataclass(frozen=True)
class Gap:
    """A cell the bank cannot fill and by how many questions."""

    cell: BlueprintCell
    need: int
    have: int

    @property
    def missing(self) -> int:
        """Questions lacking."""
        return self.need - self.have


def validate(blueprint: Blueprint, bank: QuestionBank) -> list[Gap]:
    """Every cell the bank's published questions cannot fill."""
    found: list[CellShortage] = shortages(load_pool(blueprint, bank))
    return [Gap(blueprint.cells[s.cell], s.need, s.have) for s in found]
