"""Certificates issued before the system: an Excel (or CSV) list is checked row by row and staged in
a :class:`CertificateImport`; confirming writes every valid row as an imported certificate at once.

Like the roster import (lms/roster) and exam-centre registration lists (exams/centres/bulk.py), the
file goes through the shared readers of lms/spreadsheets.py and nothing reaches the certificates
until someone confirms; confirm and discard happen exactly once (lms/staging.py). The scope of an
upload is one enterprise (an enterprise admin's) or one region (a certificate officer's): a row is
accepted only for a person employed there, and the same words refuse a person who is unknown and a
person employed elsewhere, so an upload reveals nothing beyond the uploader's roster.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import JSON, Enum, ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from certificates.dates import VALIDITY_RULES, years_later
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateSource,
    CertificateStatus,
    CertificateType,
)
from exams.centres.bulk import plain, same_name
from lms import catalog
from lms.audit import record_event
from lms.extensions import db
from lms.i18n import _l
from lms.idcard import InvalidIdNumber, mask_id_number, validate_id_number
from lms.labels import POST_LABELS
from lms.models import Account, Employment, ImportStatus, Organization, OrgKind, Person, Post, Region
from lms.models.base import UTCDateTime, utcnow
from lms.roles import Role, register_permissions
from lms.rules import RuleMissing, RuleTable
from lms.spreadsheets import (
    MergedRange,
    SpreadsheetRefused,
    Table,
    append_row,
    check_file_size,
    read_csv,
    read_xlsx,
    save_workbook,
)
from lms.staging import leave_pending

#: Import certificates issued before the system: officers for their region, enterprise admins for
#: their own employees (both already hold ISSUE or EMPLOYER_VIEW; this names the shared page).
IMPORT = "certificates.import"

#: Rows below the header one file may hold (the roster import's cap).
MAX_ROWS = 5000
#: Rows at the top of a sheet searched for the header (titles may sit above it, often merged).
HEADER_SEARCH_ROWS = 5
#: People and numbers looked up per IN (...) query.
CHUNK = 500
#: How far the expiry may lie from the validity of the rules in force at issue before the review
#: page notes it (certificates printed "to the same day" or a month-end are common and fine).
VALIDITY_TOLERANCE_DAYS = 31


def register() -> None:
    """Grant the import permission to the roles that import."""
    register_permissions(Role.CERTIFICATE_OFFICER, IMPORT)
    register_permissions(Role.ENTERPRISE_ADMIN, IMPORT)


class CertificateImport(db.Model):
    """An uploaded list of existing certificates: valid rows wait here, refused rows keep their reasons.

    The scope is an enterprise (``organization_id``) or a region (``region_id``), never both.
    """

    __tablename__ = "certificate_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[ImportStatus] = mapped_column(Enum(ImportStatus, native_enum=False, length=16),
                                                 default=ImportStatus.PENDING)
    valid_rows: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    region: Mapped[Region | None] = relationship()
    uploaded_by: Mapped[Account] = relationship()

    @property
    def scope(self) -> "Scope":
        """Where the upload's people must be employed."""
        return Scope(self.organization, self.region)


@dataclass(frozen=True)
class Scope:
    """One enterprise, or every enterprise of a region and the regions below it."""

    organization: Organization | None = None
    region: Region | None = None

    def organizations(self):
        """Select of the ids of the enterprises in scope."""
        if self.organization is not None:
            return select(Organization.id).where(Organization.id == self.organization.id)
        return select(Organization.id).where(Organization.kind == OrgKind.ENTERPRISE,
                                             Organization.region_id.in_(self.region.subtree_ids()))

    @property
    def organization_id(self) -> int | None:
        """The enterprise for the audit log, where the scope is one."""
        return self.organization.id if self.organization is not None else None

    def describe(self) -> str:
        """The enterprise's name, or the region's code and name."""
        if self.organization is not None:
            return self.organization.name
        return f"{self.region.code} {self.region.name_zh}"


# -- columns ----------------------------------------------------------------------------------------

#: (field, header written in the template, accepted spellings compared after :func:`plain` and lower()).
COLUMNS = [
    ("number", "证书编号 Certificate number",
     {"证书编号", "证号", "证件编号", "证书号", "证书号码", "certificate number", "certificate no.",
      "certificate no", "number"}),
    ("id_number", "身份证号 ID number",
     {"身份证号", "身份证号码", "公民身份号码", "身份证", "id number", "id no.", "id no"}),
    ("name", "姓名 Name", {"姓名", "持证人", "持证人姓名", "name", "holder", "holder name"}),
    ("cert_type", "证书类型 Certificate type",
     {"证书类型", "证书种类", "证件类型", "类型", "certificate type", "type"}),
    ("category", "作业类别 Operation category",
     {"作业类别", "类别", "operation category", "category"}),
    ("subtype", "准操项目 Operation sub-type",
     {"准操项目", "操作项目", "作业项目", "工种", "准操项目代码", "operation sub-type", "operation subtype",
      "sub-type", "subtype"}),
    ("issued_on", "初领日期 Issue date",
     {"初领日期", "发证日期", "领证日期", "issue date", "issued on", "date of issue", "issued"}),
    ("expires_on", "有效期至 Valid until",
     {"有效期至", "有效期截止", "有效期截止日期", "截止日期", "到期日期", "valid until", "expiry",
      "expiry date", "expires on", "expires"}),
    ("next_review_on", "下次复审日期 Next review",
     {"下次复审日期", "复审日期", "应复审日期", "next review", "next review date", "review date"}),
    ("authority", "发证机关 Issuing authority",
     {"发证机关", "发证单位", "发证部门", "issuing authority", "authority", "issued by"}),
]
_HEADERS = {word: name for name, header, words in COLUMNS
            for word in words | {plain(header).lower()}}
REQUIRED = ("number", "id_number", "name", "cert_type", "issued_on", "expires_on", "authority")
COLUMN_LABELS = {
    "number": _l("Certificate number"), "id_number": _l("ID number"), "name": _l("Name"),
    "cert_type": _l("Certificate type"), "category": _l("Operation category"),
    "subtype": _l("Operation sub-type"), "issued_on": _l("Issue date"), "expires_on": _l("Valid until"),
    "next_review_on": _l("Next review"), "authority": _l("Issuing authority"),
}

#: What the template's drop-down offers for the type, and the words accepted for each type.
TYPE_TEMPLATE_VALUES = ["特种作业操作证", "安全生产知识和管理能力考核合格证"]
TYPE_WORDS = {
    CertificateType.SPECIAL_OPS: {"特种作业操作证", "特种作业证", "特种作业", "特种作业人员操作证",
                                  "special operations", "special-operations certificate",
                                  "special operations certificate", "special_ops"},
    CertificateType.SAFETY_QUALIFICATION: {
        "安全生产知识和管理能力考核合格证", "安全合格证", "安全资格证", "安全生产知识和管理能力考核合格",
        "安全生产管理人员安全合格证", "主要负责人安全合格证", "safety qualification",
        "safety qualification certificate", "safety knowledge and management ability certificate",
        "safety_qualification"},
}
_TYPE_BY_WORD = {word: kind for kind, words in TYPE_WORDS.items() for word in words}
#: The posts a certificate of each type is for, the first being the one assumed when the person's
#: employment in scope is in another post.
TYPE_POSTS = {CertificateType.SPECIAL_OPS: (Post.SPECIAL_OPERATIONS,),
              CertificateType.SAFETY_QUALIFICATION: (Post.SAFETY_MANAGER, Post.PRINCIPAL)}

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
#: Excel serial numbers from 1950 to 2100: a bare number outside is no date anyone typed.
_SERIALS = range(18264, 73051)


class ImportFileError(ValueError):
    """The file as a whole cannot be read as a certificate list; ``args[0]`` says why."""


class ImportRefused(ValueError):
    """Confirming was refused as a whole (something changed since the check); nothing is written."""

    def __init__(self, message, rows: list[dict]):
        super().__init__(str(message))
        self.message, self.rows = message, rows


class RowError(ValueError):
    """One row is refused before the database is asked; ``args[0]`` lists the reasons."""


# -- reading the file -------------------------------------------------------------------------------

def read_table(filename: str, data: bytes) -> Table:
    """The rows of an .xlsx workbook or a CSV file (UTF-8 with or without BOM, or GBK), within the
    shared limits."""
    try:
        check_file_size(len(data))
        if data.startswith(b"PK\x03\x04") or not filename.lower().endswith(".csv"):
            return read_xlsx(data, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS)
        return read_csv(data, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS)
    except SpreadsheetRefused as exc:
        raise ImportFileError(exc.args[0]) from None


def _fill_header_merges(rows: list[list], merged: list[MergedRange]) -> None:
    """Copy a merged cell's value into every cell of its range within the header search rows, so a
    header cell merged over two rows (or a group title over several columns) still names its column."""
    for merge in merged:
        if merge.min_row > HEADER_SEARCH_ROWS + 1:
            continue
        if merge.min_row > len(rows) or merge.min_col > len(rows[merge.min_row - 1]):
            continue
        value = rows[merge.min_row - 1][merge.min_col - 1]
        for r in range(merge.min_row, min(merge.max_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([None] * (merge.max_col - len(row)))
            for c in range(merge.min_col, merge.max_col + 1):
                row[c - 1] = value


def _map_header(header) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(header):
        name = _HEADERS.get(plain(cell).lower()) if cell is not None else None
        if name and name not in columns:
            columns[name] = index
    return columns


def find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    """The header's index and its columns: the first of the top rows naming every required column."""
    if not rows:
        raise ImportFileError(_l("The file is empty."))
    best = (0, _map_header(rows[0]))
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _map_header(row)
        if all(c in columns for c in REQUIRED):
            return index, columns
        if len(columns) > len(best[1]):
            best = (index, columns)
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED if c not in best[1]]
    raise ImportFileError(_l("Missing column(s): %(cols)s. Download the template to see the expected "
                             "columns.", cols=", ".join(missing)))


def _merged_data_rows(merged: list[MergedRange], header_row: int) -> set[int]:
    """Data rows (1-based sheet rows) that a merged range touches: their cells are ambiguous."""
    rows = set()
    for merge in merged:
        rows.update(r for r in range(max(merge.min_row, header_row + 1), merge.max_row + 1))
    return rows


def parse_table(table: Table, *, today: date) -> tuple[list[dict], list[dict]]:
    """Rows checked on their own (shape, words, dates): (rows to look up, refused rows)."""
    rows = [list(r) for r in table.rows]
    _fill_header_merges(rows, table.merged)
    at, columns = find_header(rows)
    merged = _merged_data_rows(table.merged, at + 1)
    found, refused, seen = [], [], {}
    for number, values in enumerate(rows[at + 1:], start=at + 2):
        cells = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(plain(v) == "" for v in cells.values()):
            continue
        if number in merged:
            refused.append(refusal(number, cells, [_l("Merged cells: unmerge them so every certificate "
                                                      "has its own row and cells.")]))
            continue
        try:
            row = check_row(cells, today)
        except RowError as exc:
            refused.append(refusal(number, cells, exc.args[0]))
            continue
        key = (row["number"], row["subtype"])
        if key in seen:
            refused.append(refusal(number, cells, [_l("Certificate number %(number)s repeats row %(row)d.",
                                                      number=row["number"], row=seen[key])]))
            continue
        seen[key] = number
        found.append({"row": number, **row})
    if not found and not refused:
        raise ImportFileError(_l("The file has a header but no rows of certificates."))
    return found, refused


def refusal(row: int, cells: dict, reasons: list) -> dict:
    """A refused row as staged: what identifies it (name, masked ID number) and why."""
    text = plain(cells.get("id_number")).replace(" ", "").upper()
    return {"row": row, "name": plain(cells.get("name"))[:64],
            "masked_id": mask_id_number(text) if len(text) == 18 else "",
            "number": plain(cells.get("number"))[:40],
            "reasons": [str(r) for r in reasons], "reason": " ".join(str(r) for r in reasons)}


def check_row(cells: dict, today: date) -> dict:
    """A row's values as stored, or RowError with every reason found in the row itself."""
    reasons = []
    number = plain(cells.get("number")).replace(" ", "").upper()
    if not number or len(number) > 40:
        reasons.append(_l("The certificate number is missing or longer than 40 characters."))
    name = plain(cells.get("name"))
    if not name or len(name) > 64:
        reasons.append(_l("Name is missing or longer than 64 characters."))
    id_number = _id_number(cells.get("id_number"), today, reasons)
    kind = _cert_type(cells.get("cert_type"), reasons)
    category, subtype = _operation(kind, plain(cells.get("category")), plain(cells.get("subtype")), reasons)
    issued = _date(cells.get("issued_on"), COLUMN_LABELS["issued_on"], reasons, required=True)
    expires = _date(cells.get("expires_on"), COLUMN_LABELS["expires_on"], reasons, required=True)
    review = _date(cells.get("next_review_on"), COLUMN_LABELS["next_review_on"], reasons, required=False)
    if issued and issued > today:
        reasons.append(_l("The issue date %(day)s lies in the future.", day=issued.isoformat()))
    if issued and expires and expires <= issued:
        reasons.append(_l("The expiry %(expires)s is not after the issue date %(issued)s.",
                          expires=expires.isoformat(), issued=issued.isoformat()))
    elif issued and expires and review and not issued < review <= expires:
        reasons.append(_l("The next review %(review)s lies outside the validity %(issued)s to %(expires)s.",
                          review=review.isoformat(), issued=issued.isoformat(), expires=expires.isoformat()))
    authority = plain(cells.get("authority"))
    if not authority or len(authority) > 200:
        reasons.append(_l("The issuing authority is missing or longer than 200 characters."))
    if reasons:
        raise RowError(reasons)
    return {"number": number, "name": name, "id_number": id_number, "cert_type": kind.value,
            "category": category, "subtype": subtype, "issued_on": issued.isoformat(),
            "expires_on": expires.isoformat(), "next_review_on": review.isoformat() if review else None,
            "authority": authority}


def _id_number(raw, today: date, reasons: list) -> str | None:
    # Excel keeps 15 digits of a number and has no X: a number cell has already lost what was typed
    # (only a whole number written by a program can still hold all 18 digits, and then it validates).
    as_number = isinstance(raw, int | float) and not isinstance(raw, bool)
    try:
        if isinstance(raw, float):
            raise InvalidIdNumber("")
        return validate_id_number(plain(raw), today=today)
    except InvalidIdNumber as exc:
        if as_number:
            reasons.append(_l("The ID number is stored as a number, which loses digits and the final X: "
                              "format the column as text and type the number again."))
        else:
            reasons.append(_l("ID number %(reason)s.", reason=exc.args[0]))
    return None


def _cert_type(raw, reasons: list) -> CertificateType | None:
    word = plain(raw).lower()
    kind = _TYPE_BY_WORD.get(word)
    if kind is None:
        if word:
            reasons.append(_l("Unknown certificate type \"%(value)s\": write 特种作业操作证 or "
                              "安全生产知识和管理能力考核合格证.", value=plain(raw)))
        else:
            reasons.append(_l("The certificate type is missing: write 特种作业操作证 or "
                              "安全生产知识和管理能力考核合格证."))
    return kind


def _find_category(text: str) -> dict | None:
    wanted = text.rstrip(".")
    for category in catalog.operation_categories():
        if wanted in (category["code"], category["zh"], category["en"]) or \
                wanted.lower() == category["en"].lower():
            return category
    return None


def _find_subtype(text: str) -> dict | None:
    found = catalog.find_subtype_by_name(text)
    if found is None and not text.endswith("作业"):
        found = catalog.find_subtype_by_name(text + "作业")  # "硝化工艺" for "硝化工艺作业"
    if found is None:
        lowered = text.lower()
        found = next((s for c in catalog.operation_categories() for s in c["subtypes"]
                      if s["en"].lower() == lowered), None)
    return found


def _operation(kind, category_text: str, subtype_text: str, reasons: list) -> tuple[str | None, str | None]:
    if kind is CertificateType.SAFETY_QUALIFICATION:
        if category_text or subtype_text:
            reasons.append(_l("A safety qualification certificate has no operation category or sub-type: "
                              "leave both empty."))
        return None, None
    category = _find_category(category_text) if category_text else None
    if category_text and category is None:
        reasons.append(_l("Unknown operation category \"%(value)s\".", value=category_text))
    if not subtype_text:
        if kind is CertificateType.SPECIAL_OPS:
            reasons.append(_l("A special-operations certificate needs its operation sub-type (准操项目)."))
        return None, None
    subtype = _find_subtype(subtype_text)
    if subtype is None:
        reasons.append(_l("Unknown operation sub-type \"%(value)s\".", value=subtype_text))
        return None, None
    code = subtype["code"]
    if category is not None and code.split(".")[0] != category["code"]:
        reasons.append(_l("The operation sub-type %(subtype)s is not in the category %(category)s.",
                          subtype=f"{code} {subtype['zh']}", category=f"{category['code']} {category['zh']}"))
    return code.split(".")[0], code


def read_date(value) -> date | None:
    """A date from an Excel date cell, an Excel serial number, or text as 2019-03-01, 2019/3/1,
    2019.03.01 or 2019年3月1日 (full-width digits too); None when empty; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if int(value) not in _SERIALS:
            raise ValueError(value)
        return from_excel(value).date()
    text = plain(value)
    if not text:
        return None
    if text.isdigit() and int(text) in _SERIALS and len(text) == 5:  # a serial number read as text (CSV)
        return from_excel(int(text)).date()
    match = _DATE_TEXT.match(text.split(" ")[0] if " 00:00" in text else text)
    if match is None:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _date(value, label, reasons: list, *, required: bool) -> date | None:
    try:
        day = read_date(value)
    except (ValueError, OverflowError):
        reasons.append(_l("%(column)s \"%(value)s\" is not a date: write it as 2019-03-01, 2019/03/01 "
                          "or 2019年3月1日, or use a date cell.", column=label, value=plain(value)[:40]))
        return None
    if day is None and required:
        reasons.append(_l("%(column)s is missing.", column=label))
    return day


# -- looking rows up --------------------------------------------------------------------------------

def _employments(scope: Scope, numbers: list[str]) -> dict[str, tuple[Person, list[Employment]]]:
    """People by ID number with the employments they hold in scope, a query per CHUNK numbers.

    Only people employed in scope are found: for everyone else the upload learns nothing.
    """
    found: dict[str, tuple[Person, list[Employment]]] = {}
    for first in range(0, len(numbers), CHUNK):
        query = (select(Person, Employment).join(Employment, Employment.person_id == Person.id)
                 .where(Person.id_number.in_(numbers[first:first + CHUNK]),
                        Employment.organization_id.in_(scope.organizations()))
                 .options(selectinload(Employment.organization).selectinload(Organization.region))
                 .order_by(Employment.id))
        for person, employment in db.session.execute(query).all():
            found.setdefault(person.id_number, (person, []))[1].append(employment)
    return found


def _existing(rows: list[dict]) -> set[tuple[str, str | None]]:
    """(number, sub-type) pairs of the rows already held by a certificate in the system."""
    numbers = sorted({r["number"] for r in rows})
    held = set()
    for first in range(0, len(numbers), CHUNK):
        held.update(db.session.execute(select(Certificate.number, Certificate.operation_subtype).where(
            Certificate.number.in_(numbers[first:first + CHUNK]))).all())
    return held


def choose_employment(employments: list[Employment], kind: CertificateType, subtype: str | None,
                      today: date) -> Employment:
    """The employment in scope the certificate belongs to: current ones first, then one in the
    certificate's post, then (special operations) the same sub-type, then the latest."""
    posts = TYPE_POSTS[kind]

    def rank(e: Employment):
        return (e.end_date is not None and e.end_date < today, e.post not in posts,
                subtype is not None and e.operation_subtype != subtype, -e.id)

    return sorted(employments, key=rank)[0]


def _notes(row: dict, person: Person, employment: Employment, rules: RuleTable, today: date) -> list[str]:
    """What the reviewer should know about an accepted row; none of it refuses the row."""
    kind = CertificateType(row["cert_type"])
    notes = []
    if kind is CertificateType.SPECIAL_OPS and row["number"] != "T" + person.id_number:
        notes.append(_l("The number does not follow the national practice \"T\" + ID number; it is "
                        "imported as written."))
    issued, expires = date.fromisoformat(row["issued_on"]), date.fromisoformat(row["expires_on"])
    try:
        rule = rules.at(VALIDITY_RULES[kind], issued, employment.organization.region)
    except RuleMissing:
        rule = None
    if rule is not None:
        expected = years_later(issued, int(rule.value))
        if abs((expires - expected).days) > VALIDITY_TOLERANCE_DAYS:
            notes.append(_l("Valid until %(expires)s, but the rules in force at issue (%(rule)s) give "
                            "%(years)s years, until %(expected)s. Older certificates followed older rules: "
                            "check the dates against the certificate.",
                            expires=expires.isoformat(), rule=rule.version, years=rule.value,
                            expected=expected.isoformat()))
    if employment.post not in TYPE_POSTS[kind]:
        notes.append(_l("On the roster as %(post)s, not in this certificate's post; the certificate is "
                        "recorded with that employment.",
                        post=str(POST_LABELS.get(employment.post, employment.post.value))))
    elif kind is CertificateType.SPECIAL_OPS and employment.operation_subtype not in (None, row["subtype"]):
        notes.append(_l("On the roster for another operation (%(subtype)s).",
                        subtype=employment.operation_subtype))
    if employment.end_date is not None and employment.end_date < today:
        notes.append(_l("The employment ended on %(day)s.", day=employment.end_date.isoformat()))
    if expires < today:
        notes.append(_l("Already expired on %(day)s; it is imported as an expired certificate.",
                        day=expires.isoformat()))
    return [str(n) for n in notes]


def _checked(scope: Scope, row: dict, found: tuple[Person, list[Employment]] | None, held: set,
             rules: RuleTable, today: date) -> dict:
    """A row as staged: valid (with the person, the employment and notes) or refused with its reason."""
    masked = mask_id_number(row["id_number"])
    base = {"row": row["row"], "name": row["name"], "masked_id": masked, "number": row["number"]}
    reasons = []
    person = found[0] if found else None
    if person is None:
        # The same words whether the person is unknown or employed elsewhere: nothing is revealed.
        reasons.append(_l("Not on your roster: no employee with this ID number in %(scope)s.",
                          scope=scope.describe()))
    elif not same_name(row["name"], person.name):
        reasons.append(_l("The name does not match the ID number: the name on the roster is %(name)s.",
                          name=person.name))
    if (row["number"], row["subtype"]) in held:
        reasons.append(_l("A certificate with the number %(number)s%(subtype)s is already in the system.",
                          number=row["number"],
                          subtype=f" ({row['subtype']})" if row["subtype"] else ""))
    if reasons:
        return {**base, "reasons": [str(r) for r in reasons], "reason": " ".join(str(r) for r in reasons)}
    kind = CertificateType(row["cert_type"])
    employment = choose_employment(found[1], kind, row["subtype"], today)
    post = employment.post if employment.post in TYPE_POSTS[kind] else TYPE_POSTS[kind][0]
    kept = {k: v for k, v in row.items() if k != "id_number"}  # the masked one is kept instead
    return {**kept, **base, "person_id": person.id, "employment_id": employment.id,
            "organization_id": employment.organization_id, "organization": employment.organization.name,
            "post": post.value, "notes": _notes(row, person, employment, rules, today)}


def stage_import(scope: Scope, uploader: Account, filename: str, data: bytes, *,
                 today: date, now: datetime) -> CertificateImport:
    """Check every row of an upload and keep the outcome pending; no certificate is written.

    :raises ImportFileError: the file as a whole cannot be read (the caller rolls back, then may
        :func:`record_file_refused`).
    """
    rows, refused = parse_table(read_table(filename, data), today=today)
    people = _employments(scope, sorted({r["id_number"] for r in rows}))
    held = _existing(rows)
    rules = RuleTable.load(list(VALIDITY_RULES.values()))
    valid = []
    for row in rows:
        outcome = _checked(scope, row, people.get(row["id_number"]), held, rules, today)
        (valid if "person_id" in outcome else refused).append(outcome)
    staged = CertificateImport(organization_id=scope.organization_id,
                               region_id=scope.region.id if scope.region is not None else None,
                               uploaded_by_id=uploader.id, filename=filename[:255], uploaded_at=now,
                               status=ImportStatus.PENDING, valid_rows=valid,
                               errors=sorted(refused, key=lambda e: e["row"]))
    db.session.add(staged)
    db.session.flush()
    record_event("certificates.import.staged", actor=uploader, target=staged,
                 organization_id=scope.organization_id, scope=scope.describe(), filename=staged.filename,
                 valid=len(valid), refused=len(staged.errors))
    return staged


def record_file_refused(scope: Scope, uploader: Account, filename: str, reason: str) -> None:
    """Audit a file refused as a whole (call after rolling back; the caller commits)."""
    record_event("certificates.import.file_refused", actor=uploader, organization_id=scope.organization_id,
                 scope=scope.describe(), filename=filename[:255], reason=reason)


# -- confirming and cancelling ----------------------------------------------------------------------

def confirm_import(staged: CertificateImport, actor: Account, *, today: date,
                   now: datetime) -> list[Certificate]:
    """Write every valid row of a pending import as an issued, imported certificate, all at once.

    Rows are checked again: when a person has left the scope or a number has been recorded meanwhile,
    ImportRefused names the rows and the caller rolls back, so either every row is written or none
    and the import stays pending. A concurrent import writing the same number is caught by the
    certificates' unique number and reported the same way.

    :raises AlreadyChanged: the import is no longer pending; nothing is written.
    """
    leave_pending(staged, ImportStatus.CONFIRMED)
    rows = staged.valid_rows
    scope = staged.scope
    in_scope = set(db.session.scalars(select(Employment.id).where(
        Employment.id.in_([r["employment_id"] for r in rows]),
        Employment.organization_id.in_(scope.organizations()))))
    held = _existing(rows)
    changed = []
    for row in rows:
        if row["employment_id"] not in in_scope:
            changed.append({"row": row["row"], "reason": str(_l("No longer on your roster."))})
        elif (row["number"], row["subtype"]) in held:
            changed.append({"row": row["row"], "reason": str(_l(
                "A certificate with this number has been recorded meanwhile."))})
    if changed:
        raise ImportRefused(_l("Things changed since the file was checked; nothing was imported."), changed)
    made = [_certificate(staged, row, actor, today, now) for row in rows]
    try:
        db.session.flush()
    except IntegrityError:
        raise ImportRefused(_l("Another upload recorded some of these numbers meanwhile; nothing was "
                               "imported."), []) from None
    for cert, row in zip(made, rows, strict=True):
        db.session.add(CertificateEvent(
            certificate_id=cert.id, kind="imported", on=today, at=now, actor_id=actor.id,
            reason=str(_l("Imported from %(file)s, row %(row)d", file=staged.filename, row=row["row"])),
            data={"import_id": staged.id, "row": row["row"], "issued_on": row["issued_on"],
                  "expires_on": row["expires_on"], "next_review_on": row["next_review_on"],
                  "issuing_authority": row["authority"], "notes": row.get("notes", [])}))
    record_event("certificates.import.confirmed", actor=actor, target=staged,
                 organization_id=scope.organization_id, scope=scope.describe(), filename=staged.filename,
                 count=len(made), certificate_ids=[c.id for c in made])
    return made


def _certificate(staged: CertificateImport, row: dict, actor: Account, today: date,
                 now: datetime) -> Certificate:
    cert = Certificate(
        cert_type=CertificateType(row["cert_type"]), status=CertificateStatus.ISSUED,
        source=CertificateSource.IMPORT, number=row["number"],
        # The first under its number and operation: none was held when the rows were checked again.
        generation=0, person_id=row["person_id"],
        employment_id=row["employment_id"], post=row["post"], operation_category=row["category"],
        operation_subtype=row["subtype"], pass_key=f"import:{staged.id}:{row['row']}",
        issued_on=date.fromisoformat(row["issued_on"]), expires_on=date.fromisoformat(row["expires_on"]),
        next_review_on=date.fromisoformat(row["next_review_on"]) if row["next_review_on"] else None,
        issuing_authority=row["authority"], rule_versions={})
    db.session.add(cert)
    return cert


def record_refused_confirm(staged: CertificateImport, actor: Account, refused: ImportRefused) -> None:
    """Audit a refused confirm (call after rolling back; the caller commits)."""
    record_event("certificates.import.confirm_refused", actor=actor, target=staged,
                 organization_id=staged.organization_id, scope=staged.scope.describe(),
                 filename=staged.filename, reason=str(refused.message),
                 rows=", ".join(str(r["row"]) for r in refused.rows) or "—")


def cancel_import(staged: CertificateImport, actor: Account) -> None:
    """Discard a pending import; raises AlreadyChanged when it is no longer pending."""
    leave_pending(staged, ImportStatus.CANCELLED)
    record_event("certificates.import.cancelled", actor=actor, target=staged,
                 organization_id=staged.organization_id, scope=staged.scope.describe(),
                 filename=staged.filename)


# -- the template -----------------------------------------------------------------------------------

INSTRUCTIONS = [
    ("证书编号 Certificate number", "证书上的编号。特种作业操作证一般为“T”+身份证号；"
                                  "其他编号也可导入，审核页会提示。 "
                                  "The number on the certificate. A special-operations number is usually "
                                  "\"T\" + the ID number; other numbers are imported with a note."),
    ("身份证号 ID number", "18位居民身份证号，末位可为X。此人须在您的花名册上。请将此列设为文本格式。 "
                         "The 18-character resident ID number; the person must be on your roster. Keep "
                         "the column as text, or Excel drops the last digits and the X."),
    ("姓名 Name", "须与花名册中该身份证号的姓名相同。 Must match the name on the roster."),
    ("证书类型 Certificate type", "特种作业操作证 或 安全生产知识和管理能力考核合格证。 "
                                "Special-operations certificate or safety qualification certificate."),
    ("作业类别 Operation category", "特种作业操作证必填（代码或名称，如 1 或 电工作业）；"
                                  "安全合格证留空。 "
                                  "Special operations only: code or name (see the codes sheet)."),
    ("准操项目 Operation sub-type", "特种作业操作证必填（代码或名称，如 1.2 或 低压电工作业）；"
                                  "安全合格证留空。 "
                                  "Special operations only: code or name (see the codes sheet)."),
    ("初领日期 Issue date", "日期单元格，或 2019-03-01、2019/03/01、2019年3月1日。 "
                          "A date cell or text as shown."),
    ("有效期至 Valid until", "须晚于初领日期。与发证时规定的有效期不符时仅作提示。 After the issue date; a "
                           "validity unlike the rules in force at issue is noted, not refused."),
    ("下次复审日期 Next review", "选填；须在初领日期与有效期之间。 "
                             "Optional; between the issue date and the expiry."),
    ("发证机关 Issuing authority", "如 无锡市应急管理局。 For example 无锡市应急管理局."),
]
EXAMPLE = ["T320213198503091236", "320213198503091236", "张三", "特种作业操作证", "1", "1.2",
           "2021-03-01", "2027-02-28", "2024-03-01", "无锡市应急管理局"]


def build_template() -> bytes:
    """An .xlsx with the header, drop-downs for the type, category and sub-type, a sheet of
    instructions with an example row, and a sheet of the operation codes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "证书 Certificates"
    append_row(sheet, [header for _f, header, _w in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCDEFGHIJ", (24, 22, 10, 30, 20, 30, 14, 14, 16, 24), strict=True):
        sheet.column_dimensions[column].width = width
    for column in "AB":  # text, so a typed number keeps its 18 characters and the X
        sheet.column_dimensions[column].number_format = "@"
    codes = _add_codes(workbook)
    _drop_down(sheet, '"' + ",".join(TYPE_TEMPLATE_VALUES) + '"', "D")
    _drop_down(sheet, f"'{codes.title}'!$A$2:$A${1 + len(catalog.operation_categories())}", "E")
    subtypes = sum(len(c["subtypes"]) for c in catalog.operation_categories())
    _drop_down(sheet, f"'{codes.title}'!$C$2:$C${1 + subtypes}", "F")
    sheet.freeze_panes = "A2"
    _add_instructions(workbook)
    workbook.move_sheet(codes, offset=1)
    return save_workbook(workbook)


def _drop_down(sheet, formula: str, column: str) -> None:
    check = DataValidation(type="list", formula1=formula, allow_blank=True)
    sheet.add_data_validation(check)
    check.add(f"{column}2:{column}{MAX_ROWS + 1}")


def _add_codes(workbook: Workbook):
    codes = workbook.create_sheet("代码 Codes")
    append_row(codes, ["作业类别代码 Category", "作业类别 Category name", "准操项目代码 Sub-type",
                       "准操项目 Sub-type name", "English"])
    categories = catalog.operation_categories()
    subtypes = [(c, s) for c in categories for s in c["subtypes"]]
    for index, (category, sub) in enumerate(subtypes):
        first = categories[index] if index < len(categories) else None
        append_row(codes, [first["code"] if first else None, first["zh"] if first else None,
                           sub["code"], sub["zh"], f"{category['en']}: {sub['en']}"])
    for column, width in zip("ABCDE", (12, 26, 12, 34, 60), strict=True):
        codes.column_dimensions[column].width = width
    return codes


def _add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("说明 Instructions")
    append_row(sheet, ["列 Column", "填写说明 How to fill it in"])
    for row in INSTRUCTIONS:
        append_row(sheet, list(row))
    append_row(sheet, [])
    append_row(sheet, ["示例 Example"] + EXAMPLE)
    append_row(sheet, [f"每个文件最多 {MAX_ROWS} 行；空行将被跳过；也可上传CSV（UTF-8或GBK）。 "
                       f"At most {MAX_ROWS} rows per file; blank rows are skipped; CSV (UTF-8 or GBK) "
                       "is accepted too."])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2, max_row=len(INSTRUCTIONS) + 1, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
