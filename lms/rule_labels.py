"""Names of the rules in rules.toml and their values written out in the reader's language."""

from numbers import Number

from flask_babel import format_decimal

from lms import catalog
from lms.i18n import _, _l
from lms.labels import UNIT_LABELS

#: A name for every rule key in lms/data/rules.toml (tests/lms/test_readable_pages.py checks).
RULE_LABELS = {
    "hours.principal_safety_manager.initial.general":
        _l("Initial training hours of principal persons and safety managers (general industries)"),
    "hours.principal_safety_manager.initial.high_risk":
        _l("Initial training hours of principal persons and safety managers (high-risk industries)"),
    "hours.principal_safety_manager.annual.general":
        _l("Annual retraining hours of principal persons and safety managers (general industries)"),
    "hours.principal_safety_manager.annual.high_risk":
        _l("Annual retraining hours of principal persons and safety managers (high-risk industries)"),
    "assessment.principal_safety_manager.deadline_months.high_risk":
        _l("Assessment deadline after taking office, principal persons and safety managers "
           "(high-risk industries)"),
    "assessment.principal_safety_manager.deadline_months.general":
        _l("Assessment deadline after taking office, principal persons and safety managers "
           "(general industries)"),
    "hours.new_employee.prejob.general": _l("Pre-job training hours of new employees (general industries)"),
    "hours.new_employee.prejob.high_risk":
        _l("Pre-job training hours of new employees (high-risk industries)"),
    "hours.new_employee.prejob.construction": _l("Pre-job training hours of new employees (construction)"),
    "hours.employee.annual.general": _l("Annual retraining hours of employees (general industries)"),
    "hours.employee.annual.high_risk": _l("Annual retraining hours of employees (high-risk industries)"),
    "hours.employee.annual.construction": _l("Annual retraining hours of employees (construction)"),
    "hours.class_hour_minutes": _l("Length of one class hour"),
    "retraining.transfer_or_absence": _l("Retraining after a transfer or a long absence"),
    "special_ops.min_age": _l("Minimum age of special-operations workers"),
    "special_ops.max_age": _l("Maximum age of special-operations workers (retirement age)"),
    "special_ops.reapply_ban_years_after_fraud": _l("Years barred from exams after a revocation for fraud"),
    "special_ops.education": _l("Education required of special-operations workers"),
    "special_ops.exam.pass_mark": _l("Pass mark of the special-operations exam"),
    "special_ops.exam.theory_minutes": _l("Length of the special-operations theory exam"),
    "special_ops.exam.theory_paper": _l("Make-up of the special-operations theory paper"),
    "special_ops.exam.score_valid_months": _l("Validity of a special-operations exam score"),
    "exam.results_publish_working_days":
        _l("Working days after the exam within which results are published"),
    "special_ops.exam.theory_attempts": _l("Theory exam attempts allowed (special operations)"),
    "special_ops.exam.practical_attempts": _l("Practical exam attempts allowed (special operations)"),
    "special_ops.exam.retraining_after_failure":
        _l("Retraining required after failing the special-operations exam"),
    "special_ops.certificate.validity_years": _l("Validity of a special-operations certificate"),
    "special_ops.certificate.review_interval_years":
        _l("Review interval of a special-operations certificate"),
    "special_ops.certificate.review_apply_days_before":
        _l("Applying for a special-operations certificate review, days before it is due"),
    "special_ops.certificate.replacement_apply_days_before":
        _l("Applying for a special-operations certificate replacement, days before expiry"),
    "special_ops.certificate.review_training_hours":
        _l("Training hours before a special-operations certificate review"),
    "special_ops.absence_months_practical_retest":
        _l("Absence from the post after which the practical exam is retaken (special operations)"),
    "special_ops.certificate.issue_working_days":
        _l("Working days within which a special-operations certificate is issued"),
    "principal_certificate.issue_working_days":
        _l("Working days within which a principal person's or safety manager's certificate is issued"),
    "principal_certificate.validity_years":
        _l("Validity of a principal person's or safety manager's certificate"),
    "principal_certificate.extension_apply_days_before":
        _l("Applying for a certificate extension, days before expiry "
           "(principal persons and safety managers)"),
    "compliance.expiring_windows_days":
        _l("Windows in which certificates about to expire are listed as gaps"),
    "compliance.assessment_valid_months":
        _l("How long a passed training assessment counts towards the pass rate"),
    "certificate.reminder_days_before":
        _l("Reminders to holder and employer, days before a certificate's review or expiry"),
    "principal_certificate.exam.pass_mark":
        _l("Pass mark of the principal person and safety manager exam"),
    "principal_certificate.exam.minutes": _l("Length of the principal person and safety manager exam"),
    "exam_centre.video_retention_years": _l("Retention of exam-room video recordings"),
    "confined_space.test_no_earlier_than_minutes":
        _l("Gas test before entering a confined space, at most this long before entry"),
    "confined_space.oxygen_pct": _l("Oxygen in a confined space"),
    "confined_space.flammable_max_pct_lel": _l("Flammable gas in a confined space, at most"),
    "confined_space.h2s_mac_mg_m3": _l("Hydrogen sulfide, maximum allowable concentration"),
    "confined_space.co_limits_mg_m3": _l("Carbon monoxide exposure limits"),
}

#: Words for the special strings some rules take instead of a number.
WORD_VALUES = {
    "unlimited": _l("Unlimited"),
    "abolished": _l("Abolished"),
}

#: Units of rules whose unit is implied by the key rather than written in rules.toml.
IMPLIED_UNITS = {
    "special_ops.exam.theory_attempts": _l("attempts"),
    "special_ops.exam.practical_attempts": _l("attempts"),
}

#: Rule versions that are not legal citations but notes in English; shown in the reader's language.
VERSION_LABELS = {
    "classroom practice": _l("Classroom practice"),
    "exam practice": _l("Exam practice"),
    "GB 30871 practice": _l("Practice under GB 30871"),
}

_EDUCATION = {
    "junior_middle": _l("junior middle school"),
    "senior_high": _l("senior high school"),
}

_LEVELS = {
    "factory": _l("factory"),
    "workshop": _l("workshop"),
    "team": _l("team"),
}


def rule_label(key: str) -> str:
    """The rule's name in the active locale, or the key itself for a rule without one."""
    return str(RULE_LABELS.get(key, key))


def version_label(version: str | None) -> str:
    """The rule's version as a citation in the active locale."""
    if not version:
        return ""
    if version in VERSION_LABELS:
        return str(VERSION_LABELS[version])
    return catalog.citation(version)


def number(value) -> str:
    """A number in the locale's notation."""
    return format_decimal(value)


def _with_unit(value, unit: str | None) -> str:
    text = number(value)
    return f"{text} {UNIT_LABELS[unit]}" if unit in UNIT_LABELS else text


def _education(value: dict) -> str:
    text = _("%(default)s; hazardous chemicals: %(chemicals)s",
             default=_EDUCATION.get(value.get("default"), value.get("default")),
             chemicals=_EDUCATION.get(value.get("hazardous_chemicals"), value.get("hazardous_chemicals")))
    if value.get("none_required_for"):
        text += _("; none required for categories %(codes)s",
                  codes=", ".join(catalog.label(catalog.operation_category(c)) or c
                                  for c in value["none_required_for"]))
    return text


def _dict_value(key: str, value: dict, unit: str | None) -> str:
    """Dictionary values, one sentence per known shape."""
    if {"min", "max"} <= value.keys():
        return f"{number(value['min'])}–{number(value['max'])} {UNIT_LABELS.get(unit, '')}".strip()
    if {"male", "female"} <= value.keys():
        return _("men %(male)s, women %(female)s", male=_with_unit(value["male"], unit),
                 female=_with_unit(value["female"], unit))
    if "pc_twa" in value:
        return _("PC-TWA %(twa)s, PC-STEL %(stel)s", twa=_with_unit(value["pc_twa"], unit),
                 stel=_with_unit(value["pc_stel"], unit))
    if "absence_years" in value:
        return _("After a transfer or %(years)s year(s) away: %(levels)s-level retraining",
                 years=number(value["absence_years"]),
                 levels=", ".join(str(_LEVELS.get(level, level)) for level in value.get("levels", [])))
    if "default" in value:
        return _education(value)
    if "true_false" in value:
        return _("%(tf)s true/false and %(sc)s single-choice questions, %(points)s point(s) each",
                 tf=number(value["true_false"]), sc=number(value.get("single_choice", 0)),
                 points=number(value.get("points_each", 1)))
    if "standard" in value:
        return _("Every %(standard)s years; every %(extended)s years after %(clean)s years without "
                 "violations", standard=number(value["standard"]), extended=number(value["extended"]),
                 clean=number(value.get("extension_condition_years", 0)))
    # An unknown shape still reads as "name: value" pairs rather than JSON.
    return "; ".join(f"{k}: {format_rule_value(key, v, unit)}" for k, v in value.items())


def format_rule_value(key: str, value, unit: str | None = None) -> str:
    """A rule value written plainly: numbers with their unit, yes/no, words, ranges."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Number):
        if unit is None and key in IMPLIED_UNITS:
            return f"{number(value)} {IMPLIED_UNITS[key]}"
        return _with_unit(value, unit)
    if isinstance(value, str):
        return str(WORD_VALUES.get(value, value))
    if isinstance(value, dict):
        return _dict_value(key, value, unit)
    if isinstance(value, list):
        return ", ".join(format_rule_value(key, v, unit) for v in value)
    return "" if value is None else str(value)
