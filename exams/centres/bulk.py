"""Registering candidates from a spreadsheet: every row is checked and staged, then confirmed at once.

Staging reads the file through lms/spreadsheets.py, checks each row (ID number, name on file, the
uploader's scope, repeats, earlier registration, eligibility) and keeps the outcome in a
:class:`RegistrationImport`; nothing else is written. The people, their employments, their
registrations and their eligibility facts are loaded in a fixed number of queries, whatever the
number of rows. Confirming registers every valid row through :func:`register` in one transaction:
all of them, or none when something changed meanwhile (see :func:`confirm_import`).
"""

import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exams.centres.access import manages_session
from exams.centres.eligibility import Eligibility, exam_date_of
from exams.centres.labels import describe_check
from exams.centres.models import (
    ExamSession,
    Registration,
    RegistrationImport,
    RegistrationStatus,
)
from exams.centres.registration import RegistrationRefused, in_scope, register, registration_open
from exams.permissions import REGISTER
from lms.audit import record_event
from lms.authz import grants_with
from lms.extensions import db
from lms.i18n import _l
from lms.idcard import InvalidIdNumber, mask_id_number, validate_id_number
from lms.models import Account, Education, Employment, ImportStatus, Organization, Person
from lms.spreadsheets import SpreadsheetRefused, check_file_size, read_csv, read_xlsx
from lms.staging import leave_pending

#: Rows below the header one file may hold (the roster import's cap).
MAX_ROWS = 5000
#: Rows at the top of a sheet searched for the header (titles may sit above it).
HEADER_SEARCH_ROWS = 5
#: People looked up per IN (...) query.
CHUNK = 500

#: (field, header written in the template, accepted header spellings after normalising).
COLUMNS = [
    ("name", "姓名 Name", {"姓名", "name", "姓名 name", "candidate name"}),
    ("id_number", "身份证号 ID number",
     {"身份证号", "身份证号码", "公民身份号码", "id number", "id no.", "id no", "身份证号 id number"}),
    ("health", "个人健康书面承诺 Health commitment",
     {"个人健康书面承诺", "健康承诺", "健康书面承诺", "health commitment", "health",
      "个人健康书面承诺 health commitment"}),
    ("education", "学历 Education", {"学历", "文化程度", "education", "学历 education"}),
]
REQUIRED = ("name", "id_number", "health")
COLUMN_LABELS = {"name": _l("Name"), "id_number": _l("ID number"),
                 "health": _l("Health commitment"), "education": _l("Education")}

YES_WORDS = frozenset({"是", "yes", "y", "true", "1", "有", "已签", "已承诺", "√", "✓"})
NO_WORDS = frozenset({"否", "no", "n", "false", "0", "无", "未签", "×", "✗"})
#: What the template's drop-downs offer.
HEALTH_TEMPLATE_VALUES = ["是", "否"]
EDUCATION_TEMPLATE_VALUES = ["小学", "初中", "高中", "中专", "大专及以上"]

#: Words for each education level, Chinese and English, compared after normalising.
EDUCATION_WORDS = {
    Education.PRIMARY: {"小学", "primary", "primary school"},
    Education.JUNIOR_MIDDLE: {"初中", "初级中学", "junior middle", "junior middle school", "junior high",
                              "junior high school", "middle school"},
    Education.SENIOR_HIGH: {"高中", "中专", "职高", "技校", "中技", "高中及同等学历", "高中或同等学历",
                            "senior high", "senior high school", "high school",
                            "senior high school or equivalent", "secondary technical school",
                            "vocational school", "technical secondary school"},
    Education.COLLEGE: {"大专", "大专及以上", "大专以上", "本科", "大学", "研究生", "硕士", "博士",
                        "college", "college or above", "university", "bachelor", "master", "doctor",
                        "associate degree"},
}
_EDUCATION_BY_WORD = {word: level.value for level, words in EDUCATION_WORDS.items()
                      for word in words | {level.value, level.value.replace("_", " ")}}


class BulkFileError(ValueError):
    """The file as a whole cannot be read as a registration list; ``args[0]`` says why."""


class BulkRefused(ValueError):
    """Confirming was refused as a whole; nothing is written. ``row`` names the row that failed."""

    def __init__(self, message, row: int | None = None, reasons: list[str] | None = None):
        super().__init__(str(message))
        self.message, self.row, self.reasons = message, row, reasons or []


class RowError(ValueError):
    """One row is refused before the database is asked; the message says why."""


# -- reading the file -----------------------------------------------------------------------------

def plain(value) -> str:
    """Text as people mean it: full-width forms folded (NFKC), spaces trimmed and collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def same_name(a: str, b: str) -> bool:
    """Names compared without spacing or width differences (张 三 and 张三 are one name)."""
    return plain(a).replace(" ", "").casefold() == plain(b).replace(" ", "").casefold()


def field_for_header(header) -> str | None:
    """The field a header cell stands for, or None."""
    wanted = plain(header).lower()
    return next((name for name, _h, words in COLUMNS if wanted in words), None)


def read_rows(filename: str, data: bytes) -> list[tuple]:
    """The rows (header first) of an .xlsx workbook or a CSV file, within the shared limits."""
    try:
        check_file_size(len(data))
        if data.startswith(b"PK\x03\x04") or not filename.lower().endswith(".csv"):
            return read_xlsx(data, max_rows=MAX_ROWS).rows
        return read_csv(data, max_rows=MAX_ROWS).rows
    except SpreadsheetRefused as exc:
        raise BulkFileError(exc.args[0]) from None


def map_header(header: tuple) -> dict[str, int]:
    """Column index of each field; BulkFileError naming the required columns that are missing."""
    columns = {}
    for index, cell in enumerate(header):
        name = field_for_header(cell) if cell is not None else None
        if name and name not in columns:
            columns[name] = index
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED if c not in columns]
    if missing:
        raise BulkFileError(_l("Missing column(s): %(cols)s. Download the template to see the "
                               "expected columns.", cols=", ".join(missing)))
    return columns


def find_header(rows: list[tuple]) -> tuple[int, dict[str, int]]:
    """The header's position and columns: the first row, or one of the next few when a title sits
    above it (a common habit in Chinese workbooks); BulkFileError as for the first row otherwise."""
    if not rows:
        raise BulkFileError(_l("The file is empty."))
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        try:
            return index, map_header(row)
        except BulkFileError:
            continue
    return 0, map_header(rows[0])


def parse_rows(rows: list[tuple], *, today) -> tuple[list[dict], list[dict]]:
    """Rows checked on their own: (rows to look up, refused rows). Blank rows are skipped."""
    at, columns = find_header(rows)
    found, refused, seen = [], [], {}
    for number, values in enumerate(rows[at + 1:], start=at + 2):
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(plain(v) == "" for v in cells.values()):
            continue
        name = plain(cells.get("name"))
        try:
            row = _check_row(cells, today)
            if row["id_number"] in seen:
                raise RowError(_l("ID number repeats row %(row)d.", row=seen[row["id_number"]]))
            seen[row["id_number"]] = number
            found.append({"row": number, **row})
        except RowError as exc:
            refused.append(refusal(number, name, _masked(cells.get("id_number")), [exc.args[0]]))
    if not found and not refused:
        raise BulkFileError(_l("The file has a header but no rows of candidates."))
    return found, refused


def _masked(value) -> str:
    text = plain(value).replace(" ", "").upper()
    return mask_id_number(text) if len(text) == 18 else ""


def _check_row(cells: dict, today) -> dict:
    name = plain(cells.get("name"))
    if not name or len(name) > 64:
        raise RowError(_l("Name is missing or longer than 64 characters."))
    raw = cells.get("id_number")
    # Excel keeps 15 digits of a number and has no X: a number cell has already lost what was typed
    # (only a whole number written by a program can still hold all 18 digits, and then it validates).
    as_number = isinstance(raw, int | float) and not isinstance(raw, bool)
    try:
        if isinstance(raw, float):
            raise InvalidIdNumber("")
        id_number = validate_id_number(plain(raw), today=today)
    except InvalidIdNumber as exc:
        if as_number:
            raise RowError(_l("The ID number is stored as a number, which loses digits and the final "
                              "X: format the column as text and type the number again.")) from None
        raise RowError(_l("ID number %(reason)s.", reason=exc.args[0])) from None
    return {"name": name, "id_number": id_number, "health": _health(cells.get("health")),
            "education": _education(cells.get("education"))}


def _health(value) -> bool:
    word = plain(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise RowError(_l("Health commitment must be 是 or 否 (yes or no)."))


def _education(value) -> str | None:
    word = plain(value).lower()
    if not word:
        return None
    if word not in _EDUCATION_BY_WORD:
        raise RowError(_l("Unknown education \"%(value)s\": write 初中, 高中, 中专 or 大专及以上.",
                          value=plain(value)))
    return _EDUCATION_BY_WORD[word]


def refusal(row: int, name: str, masked_id: str, reasons: list, checks: list[dict] | None = None) -> dict:
    """A refused row as staged: the reasons as sentences, and the failed checks with rule and version."""
    return {"row": row, "name": name, "masked_id": masked_id, "reasons": [str(r) for r in reasons],
            "checks": checks or []}


# -- looking rows up ------------------------------------------------------------------------------

def _people(numbers: list[str]) -> dict[str, Person]:
    """People by ID number with their employments and enterprises, a query per CHUNK numbers."""
    found = {}
    for first in range(0, len(numbers), CHUNK):
        query = (select(Person).where(Person.id_number.in_(numbers[first:first + CHUNK]))
                 .options(selectinload(Person.employments).joinedload(Employment.organization)
                          .joinedload(Organization.region)))
        found.update({p.id_number: p for p in db.session.scalars(query)})
    return found


def _registered(session: ExamSession, person_ids: list[int]) -> dict[int, str]:
    """Ticket numbers of the active registrations of these people for the session."""
    found = {}
    for first in range(0, len(person_ids), CHUNK):
        found.update(db.session.execute(
            select(Registration.person_id, Registration.ticket_number)
            .where(Registration.session_id == session.id, Registration.status == RegistrationStatus.ACTIVE,
                   Registration.person_id.in_(person_ids[first:first + CHUNK]))).all())
    return found


def candidate_employment(actor: Account, session: ExamSession, person: Person) -> Employment | None:
    """The employment ``person`` would sit the session for, as find_candidate chooses it: in the
    actor's scope, current on the exam day if any is, the session's post and sub-type first."""
    employments = [e for e in person.employments if in_scope(actor, session, e)]
    if not employments:
        return None
    exam_day = exam_date_of(session)
    current = [e for e in employments if e.end_date is None or e.end_date >= exam_day] or employments
    current.sort(key=lambda e: (e.post.value != session.post,
                                e.operation_subtype != session.operation_subtype, -e.id))
    return current[0]


class _AsFiled:
    """The person as the eligibility check should see them: with the education the file gives."""

    def __init__(self, person: Person, education: str | None):
        self._person = person
        self.education = education or person.education

    def __getattr__(self, name):
        return getattr(self._person, name)


def stage_import(session: ExamSession, actor: Account, filename: str, data: bytes, *,
                 now: datetime, today) -> RegistrationImport:
    """Check every row of an upload and keep the outcome pending; nothing else is written.

    :raises BulkFileError: the file cannot be read, or registration is not open.
    """
    if not registration_open(session, now):
        raise BulkFileError(_l("Registration for this session is closed."))
    rows, refused = parse_rows(read_rows(filename, data), today=today)
    people = _people([r["id_number"] for r in rows])
    registered = _registered(session, [p.id for p in people.values()])
    checker = Eligibility(session, [p.id for p in people.values()])
    valid = []
    for row in rows:
        outcome = _check_against_records(session, actor, row, people.get(row["id_number"]),
                                         registered, checker)
        (valid if "person_id" in outcome else refused).append(outcome)
    valid, over = _within_places(session, valid)
    staged = RegistrationImport(session_id=session.id, uploaded_by_id=actor.id, filename=filename[:255],
                                uploaded_at=now, status=ImportStatus.PENDING.value, valid_rows=valid,
                                errors=sorted(refused + over, key=lambda e: e["row"]))
    db.session.add(staged)
    db.session.flush()
    record_event("exams.registration_import.staged", actor=actor, target=staged,
                 organization_id=audit_organization(actor, session), session=session.code,
                 valid=len(valid), refused=len(staged.errors), filename=staged.filename)
    return staged


def _check_against_records(session, actor, row, person, registered, checker) -> dict:
    """The staged form of a row: valid (with its checks) or refused (with every reason)."""
    masked = mask_id_number(row["id_number"])
    employment = candidate_employment(actor, session, person) if person else None
    if employment is None:
        # The same words whether the person is unknown or employed elsewhere: nothing is revealed.
        return refusal(row["row"], row["name"], masked,
                       [_l("No employee with this ID number in your scope.")])
    if not same_name(row["name"], person.name):
        return refusal(row["row"], row["name"], masked,
                       [_l("The name does not match the ID number: the name on file is %(name)s.",
                           name=person.name)])
    if person.id in registered:
        return refusal(row["row"], row["name"], masked,
                       [_l("Already registered for this session (ticket %(ticket)s).",
                           ticket=registered[person.id])])
    verdict = checker.check(_AsFiled(person, row["education"]), employment,
                            health_commitment=row["health"])
    checks = [c.as_dict() for c in verdict.checks]
    if not verdict.eligible:
        failed = [c for c in checks if not c["ok"]]
        return refusal(row["row"], person.name, masked, [describe_check(c) for c in failed], failed)
    education = row["education"] if row["education"] and row["education"] != person.education else None
    return {"row": row["row"], "person_id": person.id, "employment_id": employment.id,
            "organization_id": employment.organization_id, "name": person.name, "masked_id": masked,
            "health": row["health"], "education": education, "checks": checks}


def _within_places(session: ExamSession, valid: list[dict]) -> tuple[list[dict], list[dict]]:
    """Valid rows up to the places left, in file order; the rest refused saying how many remain."""
    left = max(session.capacity - session.registered_count, 0)
    over = [refusal(r["row"], r["name"], r["masked_id"],
                    [_l("Beyond the places left: the session has %(left)d places left and the rows "
                        "above take them.", left=left)]) for r in valid[left:]]
    return valid[:left], over


def audit_organization(actor: Account, session: ExamSession) -> int | None:
    """Whose log an import belongs in: the centre's for its staff, else the uploader's enterprise."""
    if manages_session(actor, session, REGISTER):
        return session.centre_id
    grants = grants_with(actor, REGISTER)
    return grants[0].organization_id if grants else None


# -- confirming and cancelling --------------------------------------------------------------------

def confirm_import(staged: RegistrationImport, actor: Account, now: datetime) -> list[Registration]:
    """Register every valid row of a pending import, all in the caller's transaction.

    Rows are checked again (time has passed): when any row is refused now (the session filled up
    or closed, a candidate became ineligible) BulkRefused is raised and the caller rolls back, so
    either every staged row is registered or none is and the import stays pending.

    :raises AlreadyChanged: the import is no longer pending; nothing is written.
    """
    leave_pending(staged, ImportStatus.CONFIRMED)
    session = db.session.get(ExamSession, staged.session_id)
    if not registration_open(session, now):
        raise BulkRefused(_l("Registration for this session is closed."))
    rows = staged.valid_rows
    people = {p.id: p for p in _load_by_id(Person, [r["person_id"] for r in rows])}
    employments = {e.id: e for e in _load_by_id(Employment, [r["employment_id"] for r in rows])}
    checker = Eligibility(session, list(people))
    made = []
    for row in rows:
        person = people[row["person_id"]]
        _record_education(person, row.get("education"), actor)
        try:
            made.append(register(session, person, employments[row["employment_id"]], actor, now,
                                 health_commitment=row["health"], eligibility=checker))
        except RegistrationRefused as refused:
            reasons = [describe_check(c.as_dict()) for c in refused.verdict.refusals] \
                if refused.verdict else []
            raise BulkRefused(refused.message, row["row"], reasons) from None
    record_event("exams.registration_import.confirmed", actor=actor, target=staged,
                 organization_id=audit_organization(actor, session), session=session.code,
                 count=len(made))
    return made


def _load_by_id(model, ids: list[int]) -> list:
    found = []
    for first in range(0, len(ids), CHUNK):
        found += db.session.scalars(select(model).where(model.id.in_(ids[first:first + CHUNK]))).all()
    return found


def _record_education(person: Person, education: str | None, actor: Account) -> None:
    """Education given in the file completes the person's record (audited, like a single registration)."""
    if education and person.education != education:
        person.education = Education(education).value
        record_event("exams.person.education", actor=actor, target=person, person=person.masked_id)


def record_refused_confirm(staged: RegistrationImport, actor: Account, refused: BulkRefused) -> None:
    """Audit a refused confirm (call after rolling back; the caller commits)."""
    session = db.session.get(ExamSession, staged.session_id)
    record_event("exams.registration_import.refused", actor=actor, target=staged,
                 organization_id=audit_organization(actor, session), session=session.code,
                 row=refused.row or "—", reason=str(refused.message))


def cancel_import(staged: RegistrationImport, actor: Account) -> None:
    """Discard a pending import; raises AlreadyChanged when it is no longer pending."""
    leave_pending(staged, ImportStatus.CANCELLED)
    session = db.session.get(ExamSession, staged.session_id)
    record_event("exams.registration_import.cancelled", actor=actor, target=staged,
                 organization_id=audit_organization(actor, session), session=session.code)
