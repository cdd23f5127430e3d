"""A registrar imports an intake from Excel in the Chinese admin (Debian's chromium through
Playwright): downloads the template, uploads a file with errors, reads them per row with the
article, downloads the result workbook, fixes it, uploads it again and submits the case.
Screenshots are kept in test-artifacts/screenshots/."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.intake.workbook import DATA_SHEET
from cases.models import Case, CaseState, Jurisdiction, Role
from cases.numbers.id_number import make_id_number
from tests.case_types.helpers import PDF
from tests.factories import SchoolClassFactory, SchoolFactory

from .case_steps import SKIP, choose, dialog_action, fill_date, launch, login, new_case, open_case_page, staff
from .case_steps import shot as screenshot
from .case_steps import upload as upload_evidence

pytestmark = [pytest.mark.browser, SKIP]


@pytest.fixture
def browser():
    playwright, browser = launch()
    yield browser
    browser.close()
    playwright.stop()


def shot(page, name):
    screenshot(page, f"intake-{name}")


def fill(content, rows):
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[DATA_SHEET]
    header = [str(c.value).rstrip("*") for c in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for label, value in row.items():
            sheet.cell(row=number, column=header.index(label) + 1, value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    return open(info.value.path(), "rb").read()


def upload(page, content):
    page.set_input_files("[data-testid=intake-form] input[name=file]", files=[{
        "name": "新生名单.xlsx", "buffer": content,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("[data-testid=intake-form] button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registrar_imports_an_intake_with_errors_fixes_it_and_submits(live_server, browser):  # noqa: F811
    school = SchoolFactory(category="0", name="城关区第一小学")
    SchoolClassFactory(school=school, stage="primary", cohort=2026, class_name="1班")
    staff("intake-registrar", school)
    staff("chengguan-reviewer", Jurisdiction.objects.get(code="620102"), Role.REVIEWER)
    base = live_server.url
    admitted = timezone.localdate() - datetime.timedelta(days=3)

    page = login(browser, base, "intake-registrar")
    new_case(page, base, "新生注册")
    choose(page, "stage", "小学")
    fill_date(page, "effective_on", f"{admitted.year}年{admitted.month}月{admitted.day}日")
    page.click("footer [data-testid=save-draft]")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get(case_type="registration", school=school)
    page.click("[data-testid=intake-link]")
    page.wait_for_load_state("networkidle")
    shot(page, "1-intake-page")

    template = download(page, "[data-testid=template-link]")
    good_id = make_id_number("620102", datetime.date(2019, 5, 6), 11)
    bad_id = make_id_number("620102", datetime.date(2019, 7, 8), 22)[:-1] + "X"
    if bad_id == make_id_number("620102", datetime.date(2019, 7, 8), 22):
        bad_id = bad_id[:-1] + "0"
    rows = [
        {"姓名": "李明", "性别": "男", "出生日期": "2019-05-06", "公民身份号码": good_id, "民族": "汉族",
         "户口性质": "农业户口", "班级": "1班", "监护人1姓名": "李强", "监护人1关系": "父亲"},
        {"姓名": "王芳", "性别": "女", "出生日期": "2019-07-08", "公民身份号码": bad_id, "民族": "汉族",
         "户口性质": "农业户口", "班级": "1班"},
    ]
    upload(page, fill(template, rows))
    content = page.content()
    assert "校验未通过" in content and "第3行" in content and "第十一条" in content
    assert case.intake_uploads.count() == 1
    assert page.inner_text("[data-testid=people-count]") == "0"  # nothing written
    shot(page, "2-errors")

    result = download(page, "[data-testid=result-link]")
    sheet = load_workbook(io.BytesIO(result))[DATA_SHEET]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=3, column=header.index("导入结果") + 1).value == "不予导入"
    assert sheet.cell(row=2, column=header.index("导入结果") + 1).value == "通过"
    # The registrar corrects the ID number in the returned workbook and uploads it again.
    workbook = load_workbook(io.BytesIO(result))
    workbook[DATA_SHEET].cell(row=3, column=header.index("公民身份号码") + 1,
                              value=make_id_number("620102", datetime.date(2019, 7, 8), 22))
    fixed = io.BytesIO()
    workbook.save(fixed)
    upload(page, fixed.getvalue())
    assert "全部 2 行校验通过" in page.content()
    assert page.inner_text("[data-testid=people-count]") == "2"
    shot(page, "3-fixed")

    open_case_page(page, base, case)
    upload_evidence(page, "户口簿或身份证复印件", PDF, name="hukou.pdf")
    dialog_action(page, "submit", "confirm-submit")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert [p["name"] for p in case.details["people"]] == ["李明", "王芳"]
    shot(page, "4-submitted")
