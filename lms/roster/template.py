"""Build the downloadable roster template workbook."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from lms.catalog import operation_categories
from lms.i18n import _
from lms.roster.columns import COLUMNS, MAX_ROWS, POST_TEMPLATE_VALUES
from lms.spreadsheets import append_row, save_workbook


def build_template() -> bytes:
    """An .xlsx with the roster header, one example row, a post drop-down and a code sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册 Roster"
    append_row(sheet, [header for _f, header, _w in COLUMNS])
    append_row(sheet, ["张三", "320213199001011237", "特种作业人员", "1.2", "动力车间", "2024-03-01"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCDEF", (12, 22, 16, 30, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    posts = DataValidation(type="list", formula1='"' + ",".join(POST_TEMPLATE_VALUES) + '"',
                           allow_blank=False)
    sheet.add_data_validation(posts)
    posts.add(f"C2:C{MAX_ROWS + 1}")
    _add_code_sheet(workbook)
    return save_workbook(workbook)


def _add_code_sheet(workbook: Workbook) -> None:
    codes = workbook.create_sheet("操作项目代码 Codes")
    append_row(codes, ["代码 Code", "作业类别 Category", "操作项目 Sub-type", "English"])
    for category in operation_categories():
        for sub in category["subtypes"]:
            append_row(codes, [sub["code"], category["zh"], sub["zh"], sub["en"]])
    codes.column_dimensions["C"].width = 30
    codes.column_dimensions["D"].width = 40


def logins_workbook(logins) -> bytes:
    """The hand-over list of initial logins: name, username, initial password."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Initial logins")
    append_row(sheet, [_("Name"), _("Username"), _("Initial password")])
    for login in logins:
        append_row(sheet, [login.name, login.username, login.password])
    append_row(sheet, [])
    append_row(sheet, [_("Each person signs in with these and must choose a new password at once. "
                         "Hand each line over in person and destroy this list afterwards.")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABC", (14, 16, 18), strict=True):
        sheet.column_dimensions[column].width = width
    return save_workbook(workbook)
