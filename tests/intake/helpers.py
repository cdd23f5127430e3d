"""Real .xlsx files built in the test from the downloaded template."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cases.intake.workbook import COLUMNS, DATA_SHEET, build_template
from tests.factories import id_number_for

LABEL = {c.key: c.label for c in COLUMNS}


def pupil(name="李明", gender="男", birth=datetime.date(2019, 3, 1), with_id=True, **extra):
    row = {"name": name, "gender": gender, "ethnicity": "汉族", "household_type": "农业户口",
           "native_place": "甘肃兰州"}
    if with_id:
        row["id_number"], birth = id_number_for(birth, "M" if gender == "男" else "F")
    row["birth_date"] = birth.isoformat() if isinstance(birth, datetime.date) else birth
    return {**row, **extra}


def workbook_bytes(rows, *, stage="primary", template=None):
    """The template with ``rows`` ({key: value}) written under their Chinese headers."""
    workbook = load_workbook(io.BytesIO(template or build_template(stage=stage)))
    sheet = workbook[DATA_SHEET]
    header = [str(c.value).rstrip("*") for c in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=number, column=header.index(LABEL[key]) + 1, value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_file(content, name="新生名单.xlsx"):
    return SimpleUploadedFile(name, content,
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def result_rows(upload):
    """{row number: (导入结果, 问题说明)} of the result workbook."""
    sheet = load_workbook(upload.result.open("rb"))[DATA_SHEET]
    header = [c.value for c in sheet[1]]
    status, errors = header.index("导入结果"), header.index("问题说明")
    return {row[0].row: (row[status].value, row[errors].value or "") for row in sheet.iter_rows(min_row=2)
            if row[status].value}
