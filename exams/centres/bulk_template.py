"""The downloadable registration template: one sheet to fill in, one that explains the columns."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from exams.centres.bulk import COLUMNS, EDUCATION_TEMPLATE_VALUES, HEALTH_TEMPLATE_VALUES, MAX_ROWS
from lms.spreadsheets import append_row, save_workbook

#: (column, what to write), in both languages: the template is the same file for every reader.
INSTRUCTIONS = [
    ("姓名 Name", "与身份证一致的姓名；须与花名册中该身份证号的姓名相同。 "
                "The name as on the ID card; it must match the name on file for that ID number."),
    ("身份证号 ID number", "18位居民身份证号，末位可为X。请将此列设为文本格式，否则Excel会丢失末尾数字和X。 "
                         "The 18-character resident ID number (the last may be X). Keep the column as "
                         "text: as a number Excel drops the last digits and the X."),
    ("个人健康书面承诺 Health commitment", "考生已签署个人健康书面承诺填“是”，否则填“否”（不予报名）。 "
                                         "是 (yes) when the candidate has signed the written health "
                                         "commitment, otherwise 否 (no: not registered)."),
    ("学历 Education", "选填：小学、初中、高中、中专、大专及以上（英文 primary, junior middle, senior high, "
                     "college 亦可）。填写后将更新考生档案。 Optional; when given it is recorded on the "
                     "candidate's file."),
]
EXAMPLE = ["张三", "320213198503091236", "是", "高中"]


def build_template() -> bytes:
    """An .xlsx with the header, drop-downs for the health commitment and education, and a sheet of
    instructions with an example row (kept off the first sheet, which is read as candidates)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名 Registration"
    append_row(sheet, [header for _f, header, _w in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCD", (14, 24, 30, 16), strict=True):
        sheet.column_dimensions[column].width = width
    # Text format on the ID column, so a typed number keeps its 18 characters and the X.
    sheet.column_dimensions["B"].number_format = "@"
    _drop_down(sheet, HEALTH_TEMPLATE_VALUES, "C", blank=False)
    _drop_down(sheet, EDUCATION_TEMPLATE_VALUES, "D", blank=True)
    sheet.freeze_panes = "A2"
    _add_instructions(workbook)
    return save_workbook(workbook)


def _drop_down(sheet, values: list[str], column: str, *, blank: bool) -> None:
    check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=blank)
    sheet.add_data_validation(check)
    check.add(f"{column}2:{column}{MAX_ROWS + 1}")


def _add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("说明 Instructions")
    append_row(sheet, ["列 Column", "填写说明 How to fill it in"])
    for row in INSTRUCTIONS:
        append_row(sheet, list(row))
    append_row(sheet, [])
    append_row(sheet, ["示例 Example"] + EXAMPLE)
    append_row(sheet, [f"每个文件最多 {MAX_ROWS} 行；空行将被跳过。 At most {MAX_ROWS} rows per file; "
                       "blank rows are skipped."])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2, max_row=len(INSTRUCTIONS) + 1, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
