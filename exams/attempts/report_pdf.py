"""The score report (成绩单) of one registration as an A4 PDF: who, which exam, the points and the
pass mark, right answers per question type, the rule versions the paper was built on, and a
SHA-256 of the result facts that lets anyone holding the facts check a printout."""

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from exams.attempts import results
from exams.attempts.services import attempt_of
from exams.centres.models import Registration
from exams.centres.tickets import centre_address, exam_window, session_exam
from exams.labels import TYPE_LABELS
from exams.models import QuestionType
from lms import pdf
from lms.extensions import db
from lms.i18n import _, _l
from lms.models import RuleValue
from lms.rule_labels import format_rule_value, rule_label, version_label

OUTCOME_LABELS = {"passed": _l("Passed"), "failed": _l("Failed"), "cancelled": _l("Score cancelled")}


def number(value) -> str:
    """Points without a needless ".0"."""
    return "—" if value is None else f"{value:g}"


def score_report_pdf(reg: Registration) -> bytes:
    """The registration's score report; the caller checked that it has a result and may be read."""
    s = pdf.styles()
    attempt = attempt_of(reg.id)
    types = results.breakdown(attempt) if attempt is not None and not reg.score_cancelled else []
    facts = results.result_facts(reg, attempt, types)
    story = [Paragraph(escape(_("Exam score report")), s["title"]),
             _facts_table(_candidate_facts(reg)), Spacer(1, 3 * mm),
             Paragraph(escape(_("Result")), s["h"]), _facts_table(_result_facts(facts)),
             *_breakdown(types, s), *_rules(reg, s),
             Paragraph(escape(_("Verification")), s["h"]),
             Paragraph(escape(_("SHA-256 of the result facts: %(digest)s", digest=results.digest(facts))),
                       s["small"]),
             Paragraph(escape(_("The exam centre can recompute it from its records to confirm that this "
                                "report is unaltered.")), s["small"])]
    return pdf.render(story, title=_("Exam score report"),
                      footer_text=_("%(session)s · ticket %(ticket)s · score report",
                                    session=reg.session.code, ticket=reg.ticket_number))


def _facts_table(facts: list[tuple[str, str]]) -> Table:
    """Label and value pairs in two columns."""
    s = pdf.styles()
    table = Table([[Paragraph(escape(k), s["small"]), Paragraph(escape(v), s["p"])] for k, v in facts],
                  colWidths=[34 * mm, 146 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _candidate_facts(reg: Registration) -> list[tuple[str, str]]:
    session = reg.session
    return [(_("Candidate"), reg.person.name), (_("ID number"), reg.person.masked_id),
            (_("Ticket number"), reg.ticket_number), (_("Enterprise"), reg.organization.name),
            (_("Exam centre"), centre_address(session.centre)),
            (_("Session"), f"{session.title} ({session.code})"), (_("Exam"), session_exam(session)),
            (_("Date and time"), exam_window(session))]


def _result_facts(facts: dict) -> list[tuple[str, str]]:
    found = []
    if facts["outcome"] != "cancelled":
        found.append((_("Points"), f"{number(facts['points'])} / {number(facts['total'])}"))
    found += [(_("Pass mark"), number(facts["pass_mark"])),
              (_("Result"), str(OUTCOME_LABELS[facts["outcome"]])),
              (_("Result date"), facts["result_on"] or "—")]
    if facts["outcome"] == "cancelled":
        found.append((_("Note"), _("The score of this session was cancelled for misconduct in the exam "
                                   "room.")))
    return found


def _type_label(qtype: str) -> str:
    try:
        return str(TYPE_LABELS[QuestionType(qtype)])
    except ValueError:
        return qtype


def _breakdown(types: list, s: dict) -> list:
    if not types:
        return []
    rows = [[escape(_type_label(t.qtype)), f"{t.right} / {t.count}",
             f"{number(t.points)} / {number(t.max_points)}"] for t in types]
    return [Paragraph(escape(_("By question type")), s["h"]),
            pdf.table([_("Question type"), _("Right / questions"), _("Points")], rows, [70, 55, 55])]


def _rules(reg: Registration, s: dict) -> list:
    versions = (reg.paper.rule_versions or {}) if reg.paper is not None else {}
    if not versions:
        return []
    # Papers record no unit; a rule's unit is the same in all its periods.
    units = dict(db.session.execute(select(RuleValue.key, RuleValue.unit).where(
        RuleValue.key.in_(list(versions)), RuleValue.unit.is_not(None))).all())
    rows = []
    for key in sorted(versions):
        # Papers record {value, version, tag} per rule key.
        recorded = versions[key] if isinstance(versions[key], dict) else {"version": versions[key]}
        value = format_rule_value(key, recorded["value"], units.get(key)) if "value" in recorded else "—"
        rows.append([escape(rule_label(key)), escape(value), escape(version_label(recorded.get("version")))])
    return [Paragraph(escape(_("Rules applied")), s["h"]),
            pdf.table([_("Rule"), _("Value"), _("Version")], rows, [85, 35, 60])]
