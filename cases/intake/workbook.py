"""The intake workbook: the template a school downloads, reading what it uploads back, and the
same workbook returned with each row's outcome.

One list of columns (``COLUMNS``) drives all three, so the template, the reader and the result
cannot disagree. Headers are matched by their Chinese label, so a registrar may reorder columns.
"""

import datetime
import io
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cases.models import ETHNICITIES, Disability, HouseholdType, Stage

DATA_SHEET = "新生名单"
HELP_SHEET = "填写说明"
LISTS_SHEET = "选项"
STATUS_HEADER, ERRORS_HEADER = "导入结果", "问题说明"
YES_NO = ["是", "否"]
MAX_ROWS = 20000  # one school's intake; a larger file is refused before it is read through


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    required: bool = False
    width: int = 12
    choices: str = ""  # name of the list in the options sheet


COLUMNS = (
    Col("name", "姓名", True, 10),
    Col("gender", "性别", True, 6, "gender"),
    Col("birth_date", "出生日期", True, 12),
    Col("id_number", "公民身份号码", False, 22),
    Col("ethnicity", "民族", True, 10, "ethnicity"),
    Col("native_place", "籍贯", False, 14),
    Col("household_type", "户口性质", True, 14, "household_type"),
    Col("household_county", "户籍所在县(区)", False, 20, "county"),
    Col("household_address", "户籍地址", False, 24),
    Col("address", "现住址", False, 24),
    Col("is_migrant", "进城务工人员随迁子女", False, 10, "yes_no"),
    Col("is_left_behind", "留守儿童", False, 8, "yes_no"),
    Col("disability", "残疾类型", False, 10, "disability"),
    Col("school_class", "班级", False, 10, "class"),
    Col("age_exception", "年龄例外理由", False, 20),
    Col("guardian1_name", "监护人1姓名", False, 10),
    Col("guardian1_relation", "监护人1关系", False, 8),
    Col("guardian1_phone", "监护人1电话", False, 14),
    Col("guardian2_name", "监护人2姓名", False, 10),
    Col("guardian2_relation", "监护人2关系", False, 8),
    Col("guardian2_phone", "监护人2电话", False, 14),
)
BY_LABEL = {c.label: c for c in COLUMNS}
TEXT_COLUMNS = {"id_number", "guardian1_phone", "guardian2_phone"}  # digits that Excel must not round

INSTRUCTIONS = (
    "新生学籍信息导入填写说明",
    "",
    "1. 请在“新生名单”工作表中每行填写一名新生,不要修改第一行表头;空行将被忽略。",
    "2. 带 * 的列为必填项。性别、民族、户口性质、随迁子女、留守儿童、残疾类型、班级请从下拉列表中选择。"
    "每名新生都须编入班级:案卷中已为全体新生选定编入班级的,“班级”列可不填,填写的以该列为准(第八条)。",
    "3. 出生日期格式为 YYYY-MM-DD(如 2020-03-01)。",
    "4. 公民身份号码:有户籍的学生必须填写18位公民身份号码,系统校验校验位,并核对出生日期和性别;"
    "学籍号以学生居民身份证号为基础生成,一人一号,终身不变(第九条)。无户籍或港澳台及外籍学生可不填,系统编排临时学籍号。",
    "5. 学校不得以虚假信息建立学生学籍,不得重复建立学籍(第十一条)。系统在全省范围内查重:"
    "公民身份号码相同的视为同一学生,不能新建学籍,应办理转学手续;"
    "姓名读音、性别、出生日期相同的为疑似重复,须由学籍管理员逐一裁定。",
    "6. 年龄须与学段、年级相符(第五条:年满六周岁入小学);延缓入学、随班就读等例外请在“年龄例外理由”中说明。",
    "7. 上传后系统逐行校验,并返回本工作簿:末尾增加“导入结果”和“问题说明”两列,注明每行的问题及依据条文。"
    "修正后可直接上传返回的工作簿。全部通过后名单写入新生注册案卷;有错误时不写入任何一行。",
)


def _options(classes, counties):
    return {
        "gender": ["男", "女"],
        "ethnicity": list(ETHNICITIES),
        "household_type": [str(label) for label in HouseholdType.labels],
        "county": list(counties),
        "yes_no": YES_NO,
        "disability": [str(label) for label in Disability.labels],
        "class": list(classes),
    }


def build_template(*, stage, school_name="", classes=(), counties=()):
    """The template for one stage (and one school's classes, when known), as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([c.label + ("*" if c.required else "") for c in COLUMNS])
    for index, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = col.width
        sheet.cell(row=1, column=index).font = Font(bold=True)
        if col.key in TEXT_COLUMNS:
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    lists = workbook.create_sheet(LISTS_SHEET)
    options = _options(classes, counties)
    for index, (name, values) in enumerate(options.items(), start=1):
        lists.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        col_letter = get_column_letter(index)
        for data_index, col in enumerate(COLUMNS, start=1):
            if col.choices == name and values:
                validation = DataValidation(
                    type="list", formula1=f"'{LISTS_SHEET}'!${col_letter}$2:${col_letter}${len(values) + 1}",
                    allow_blank=not col.required, showErrorMessage=True, errorTitle="输入有误",
                    error=f"请从下拉列表中选择{col.label}",
                )
                sheet.add_data_validation(validation)
                validation.add(f"{get_column_letter(data_index)}2:{get_column_letter(data_index)}{MAX_ROWS + 1}")
    lists.sheet_state = "hidden"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    title = f"{school_name} {Stage(stage).label}".strip()
    help_sheet.append([INSTRUCTIONS[0] + (f"({title})" if title else "")])
    for line in INSTRUCTIONS[1:]:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 120
    help_sheet["A1"].font = Font(bold=True, size=14)
    for cell in help_sheet["A"]:
        cell.alignment = Alignment(wrap_text=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class WorkbookError(ValueError):
    """The file is not an intake workbook (message in Chinese)."""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_map(header):
    """{column index: Col} from the header row; '*' marks and surrounding blanks are ignored."""
    found = {}
    for index, value in enumerate(header):
        label = _text(value).rstrip("*").strip()
        if label in BY_LABEL:
            found[index] = BY_LABEL[label]
    missing = [c.label for c in COLUMNS if c.required and c not in found.values()]
    if missing:
        raise WorkbookError(f"表头缺少必填列:{'、'.join(missing)};请使用下载的模板")
    return found


def read_rows(content):
    """[(Excel row number, {key: text})] of every non-empty row of the data sheet."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zipfile/XML errors of a file that is not .xlsx
        raise WorkbookError("文件不是有效的 Excel 工作簿(.xlsx)") from error
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise WorkbookError("工作簿是空的")
        columns = _header_map(header)
        found = []
        for number, values in enumerate(rows, start=2):
            data = {col.key: _text(values[i]) if i < len(values) else "" for i, col in columns.items()}
            if any(data.values()):
                found.append((number, data))
                if len(found) > MAX_ROWS:
                    raise WorkbookError(f"一次最多导入 {MAX_ROWS} 行,请分批上传")
        return found
    finally:
        workbook.close()


REFUSED_FILL = PatternFill("solid", fgColor="FFC7CE")
PENDING_FILL = PatternFill("solid", fgColor="FFEB9C")
OK_FILL = PatternFill("solid", fgColor="C6EFCE")


def result_workbook(content, outcomes):
    """The uploaded workbook with 导入结果 and 问题说明 filled for each row; ``outcomes`` is
    {row number: (status label, text, kind)} with kind ok | refused | pending."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
    header = [_text(cell.value) for cell in sheet[1]]
    status_col = header.index(STATUS_HEADER) + 1 if STATUS_HEADER in header else len(header) + 1
    errors_col = header.index(ERRORS_HEADER) + 1 if ERRORS_HEADER in header else max(len(header), status_col) + 1
    sheet.cell(row=1, column=status_col, value=STATUS_HEADER).font = Font(bold=True)
    sheet.cell(row=1, column=errors_col, value=ERRORS_HEADER).font = Font(bold=True)
    sheet.column_dimensions[get_column_letter(status_col)].width = 14
    sheet.column_dimensions[get_column_letter(errors_col)].width = 80
    fills = {"ok": OK_FILL, "refused": REFUSED_FILL, "pending": PENDING_FILL}
    for row in range(2, sheet.max_row + 1):
        status_cell, errors_cell = sheet.cell(row=row, column=status_col), sheet.cell(row=row, column=errors_col)
        if row in outcomes:
            label, text, kind = outcomes[row]
            status_cell.value, errors_cell.value = label, text
            status_cell.fill = fills[kind]
            errors_cell.alignment = Alignment(wrap_text=True)
        else:  # a row left empty, or an old outcome of a row since cleared
            status_cell.value = errors_cell.value = None
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
