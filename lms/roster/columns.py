"""Roster spreadsheet columns and the words accepted for each post."""

from lms.i18n import _l

#: (field, header written in the template, accepted header spellings in lower case)
COLUMNS = [
    ("name", "姓名 Name", {"姓名", "name", "姓名 name"}),
    ("id_number", "身份证号 ID number", {"身份证号", "身份证号码", "id number", "身份证号 id number"}),
    ("post", "岗位 Post", {"岗位", "post", "岗位 post"}),
    ("operation_subtype", "操作项目 Operation sub-type",
     {"操作项目", "作业项目", "工种", "operation sub-type", "操作项目 operation sub-type"}),
    ("department", "部门 Department", {"部门", "department", "部门 department"}),
    ("start_date", "上岗日期 Start date", {"上岗日期", "入职日期", "start date", "上岗日期 start date"}),
]

REQUIRED = ("name", "id_number", "post", "start_date")

COLUMN_LABELS = {
    "name": _l("Name"),
    "id_number": _l("ID number"),
    "post": _l("Post"),
    "operation_subtype": _l("Operation sub-type"),
    "department": _l("Department"),
    "start_date": _l("Start date"),
}

#: What the template's drop-down offers for the post column.
POST_TEMPLATE_VALUES = ["主要负责人", "安全管理人员", "特种作业人员", "其他从业人员"]

MAX_ROWS = 5000


def field_for_header(header: str) -> str | None:
    """Field a header cell stands for, or None."""
    wanted = " ".join(str(header).split()).lower()
    return next((field for field, _h, words in COLUMNS if wanted in words), None)
