"""Translatable words of the exam day: session kinds and states, attendance, eligibility sentences."""

from exams.centres.models import Attendance, IncidentKind, RegistrationStatus, SessionKind, SessionStatus
from lms import catalog
from lms.i18n import _, _l
from lms.labels import POST_LABELS
from lms.models import Education, Post
from lms.rule_labels import rule_label, version_label

SESSION_KIND_LABELS = {
    SessionKind.SPECIAL_OPS_THEORY: _l("Special-operations theory"),
    SessionKind.PRINCIPAL: _l("Principal person in charge"),
    SessionKind.SAFETY_MANAGER: _l("Safety manager"),
    SessionKind.PRACTICAL: _l("Practical assessment"),
    SessionKind.MAKEUP: _l("Make-up theory exam"),
}

SESSION_STATUS_LABELS = {
    SessionStatus.DRAFT: _l("Draft"),
    SessionStatus.PUBLISHED: _l("Registration open"),
    SessionStatus.REGISTRATION_CLOSED: _l("Registration closed"),
    SessionStatus.OPEN: _l("In progress"),
    SessionStatus.CLOSED: _l("Closed"),
    SessionStatus.RESULTS_RELEASED: _l("Results released"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}

REGISTRATION_STATUS_LABELS = {RegistrationStatus.ACTIVE: _l("Registered"),
                              RegistrationStatus.WITHDRAWN: _l("Withdrawn")}

ATTENDANCE_LABELS = {Attendance.EXPECTED: _l("Not checked in"), Attendance.PRESENT: _l("Present"),
                     Attendance.ABSENT: _l("Absent")}

INCIDENT_LABELS = {IncidentKind.IDENTITY_DOUBT: _l("Identity doubt"),
                   IncidentKind.MISCONDUCT: _l("Misconduct"),
                   IncidentKind.TECHNICAL: _l("Technical fault"), IncidentKind.OTHER: _l("Other")}

EDUCATION_LABELS = {Education.PRIMARY: _l("Primary school"),
                    Education.JUNIOR_MIDDLE: _l("Junior middle school"),
                    Education.SENIOR_HIGH: _l("Senior high school or equivalent"),
                    Education.COLLEGE: _l("College or above")}

CHECK_NAMES = {
    "fits": _l("Post and operation"), "health": _l("Health commitment"), "min_age": _l("Minimum age"),
    "max_age": _l("Retirement age"), "education": _l("Education"), "training": _l("Training hours"),
    "theory_pass": _l("Theory passed"), "makeup": _l("Make-up"), "attempts": _l("Attempt limit"),
    "bar": _l("Not barred"), "overlap": _l("No overlapping session"),
}

TRAINING_KINDS = {"initial": _l("initial training"), "prejob": _l("pre-job training"),
                  "annual": _l("annual retraining"), "retraining": _l("retraining after a transfer"),
                  "review": _l("review training")}


def subtype_label(code: str | None) -> str:
    """Operation sub-type as "1.2 低压电工作业" in the active locale."""
    entry = catalog.operation_subtype(code) if code else None
    return f"{code} {catalog.label(entry)}" if entry else (code or "")


def exam_label(post: str, subtype: str | None) -> str:
    """The post examined, with the operation sub-type for special operations."""
    text = str(POST_LABELS.get(Post(post), post)) if post in set(Post) else post
    return f"{text} · {subtype_label(subtype)}" if subtype else text


def _education(code: str) -> str:
    return str(EDUCATION_LABELS.get(Education(code), code)) if code in set(Education) else code


def _refusal(check: dict) -> str:
    """Why the check failed, with the facts that decided it."""
    p = check.get("params") or {}
    name = check["check"]
    if name == "fits":
        return _("The session examines %(exam)s; the candidate's post is %(held)s.",
                 exam=exam_label(p["post"], p["subtype"] or None),
                 held=exam_label(p["held_post"], p["held_subtype"] or None))
    if name == "health":
        return _("The candidate's written health commitment has not been recorded.")
    if name == "min_age":
        return _("The candidate is %(age)s on the exam date; the minimum age is %(limit)s.", **p)
    if name == "max_age":
        return _("The candidate is %(age)s on the exam date and has reached the retirement age of "
                 "%(limit)s.", **p)
    if name == "education":
        if not p.get("held"):
            return _("The candidate's education is not recorded; %(needed)s is required.",
                     needed=_education(p["needed"]))
        return _("%(needed)s is required; the candidate's education is %(held)s.",
                 needed=_education(p["needed"]), held=_education(p["held"]))
    if name == "training":
        return _("%(kind)s: %(done)s of %(required)s class hours done.",
                 kind=TRAINING_KINDS.get(p.get("kind"), p.get("kind")), done=p.get("done"),
                 required=p.get("required"))
    if name == "theory_pass":
        if p.get("passed_on"):
            return _("The theory pass of %(day)s is older than %(months)s months on the exam date.",
                     day=p["passed_on"], months=p["months"])
        return _("The practical exam needs a passed theory exam of the same operation first.")
    if name == "makeup":
        return _("A make-up exam is for candidates whose latest theory result is a fail.")
    if name == "attempts":
        return _("%(used)s of %(limit)s attempts used (%(failed)s failed, %(pending)s registered); "
                 "retake the training before registering again.", **p)
    if name == "bar":
        return _("Barred from exams until %(until)s after a certificate was revoked for fraud.",
                 until=p["until"])
    if name == "overlap":
        return _("Already registered for session %(session)s at an overlapping time.", **p)
    return name


def describe_check(check: dict) -> str:
    """A refusal as one sentence citing its rule and version; a passed check by name."""
    title = str(CHECK_NAMES.get(check["check"], check["check"]))
    if check.get("ok"):
        return title
    text = _("%(title)s: %(reason)s", title=title, reason=_refusal(check))
    if check.get("key"):
        text += " " + _("(%(rule)s, %(version)s)", rule=rule_label(check["key"]),
                        version=version_label(check.get("version")))
    return text


def template_helpers() -> dict:
    """Names the exam-day templates use (``endpoints()`` lets a page link only to pages that exist)."""
    from flask import current_app

    return {"endpoints": lambda: current_app.view_functions,
            "session_kind_label": lambda k: SESSION_KIND_LABELS.get(k, k),
            "session_status_label": lambda s: SESSION_STATUS_LABELS.get(s, s),
            "attendance_label": lambda a: ATTENDANCE_LABELS.get(a, a),
            "incident_label": lambda k: INCIDENT_LABELS.get(k, k),
            "registration_status_label": lambda s: REGISTRATION_STATUS_LABELS.get(s, s),
            "education_label": _education, "describe_check": describe_check,
            "exam_label": exam_label, "subtype_label": subtype_label}
