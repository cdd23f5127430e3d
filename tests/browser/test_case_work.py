"""A registrar's and an approver's case work in the Chinese admin, in Debian's chromium, each
test one task from start to finish (screenshots in test-artifacts/screenshots/case-*.png):
an intake of three pupils typed into the form's rows; a correction refused at submission when
it disagrees with the ID number; an illness suspension with its medical evidence, submitted and
approved; a case withdrawn, edited and resubmitted as the same case."""

import datetime

import pytest

from cases.models import Case, CaseState, Jurisdiction, Registration, Role, Student
from cases.numbers.id_number import make_id_number
from tests.case_types.helpers import PDF, PNG
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .case_steps import (
    SKIP,
    choose,
    contrast,
    fill_date,
    dialog_action,
    launch,
    login,
    new_case,
    open_case_page,
    pick,
    save_draft,
    shot,
    staff,
    upload,
)

pytestmark = [pytest.mark.browser, SKIP, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    playwright, browser = launch()
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def county():
    return Jurisdiction.objects.get(code="620102")


def test_intake_of_three_pupils_through_the_form(live_server, browser, county):
    school = SchoolFactory(category="0", name="城关区第一小学", county=county)
    SchoolClassFactory(school=school, stage="primary", cohort=2026, class_name="1班")
    SchoolClassFactory(school=school, stage="primary", cohort=2026, class_name="2班")
    staff("xiao-registrar", school)
    staff("chengguan-reviewer", county, Role.REVIEWER)
    born = datetime.date(2020, 3, 5)
    pupils = [("张一", "男", make_id_number("620102", born, 11), "1班"),
              ("李二", "女", make_id_number("620102", born, 22), "1班"),
              ("王三", "男", make_id_number("620102", born, 33), "2班")]
    today = datetime.date.today()
    base = live_server.url

    page = login(browser, base, "xiao-registrar")
    new_case(page, base, "新生注册")
    assert "户口簿或身份证复印件" in page.inner_text("[data-testid=evidence-plan]")  # listed before upload
    choose(page, "stage", "小学")
    fill_date(page, "effective_on", today.isoformat())
    for row, (name, gender, id_number, class_name) in enumerate(pupils):
        page.fill(f"input[name=people-{row}-name]", name)
        page.select_option(f"select[name=people-{row}-gender]", label=gender)
        page.fill(f"input[name=people-{row}-birth_date]", f"{born.year}年{born.month}月{born.day}日")  # the one date form
        page.fill(f"input[name=people-{row}-id_number]", id_number)
        page.select_option(f"select[name=people-{row}-school_class]", label=f"一年级{class_name}(小学2026级{class_name})")
        page.fill(f"input[name=people-{row}-guardians-0-name]", f"{name[0]}家长")
        page.fill(f"input[name=people-{row}-guardians-0-relation]", "父亲")
    shot(page, "case-intake-1-form")
    save_draft(page)
    case = Case.objects.get(case_type="registration")
    assert case.state == CaseState.DRAFT and [p["gender"] for p in case.details["people"]] == ["M", "F", "M"]
    assert {p["birth_date"] for p in case.details["people"]} == {born.isoformat()}
    assert page.input_value("input[name=people-0-birth_date]") == f"{born.year}年{born.month}月{born.day}日"
    body = page.inner_text("[data-testid=case-document]")
    assert "张一" in body and "李二" in body and "王三" in body and "女" in body
    upload(page, "户口簿或身份证复印件", PDF)
    shot(page, "case-intake-2-saved")
    dialog_action(page, "submit", "confirm-submit", "case-intake-3-submit-dialog")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW

    page = login(browser, base, "chengguan-reviewer")
    open_case_page(page, base, case)
    dialog_action(page, "approve", "confirm-approve", "case-intake-4-final-approval")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert "已同意;案卷已办结生效" in page.inner_text("body")
    shot(page, "case-intake-5-approved")
    registered = Registration.objects.filter(school=school).select_related("student", "school_class")
    assert sorted((r.student.name, r.school_class.class_name) for r in registered) == [
        ("张一", "1班"), ("李二", "1班"), ("王三", "2班")]


def test_correction_refused_at_submission_when_it_disagrees_with_the_id_number(live_server, browser, county):
    school = SchoolFactory(category="1", name="城关区第三初级中学", county=county)
    registration = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                                    stage="junior", name="赵小红", gender="F")
    staff("junior-registrar", school)
    base = live_server.url

    page = login(browser, base, "junior-registrar")
    new_case(page, base, "学籍信息变更")
    pick(page, "student", "赵", "赵小红")
    fill_date(page, "effective_on", datetime.date.today().isoformat())
    fill_date(page, "changes_birth_date", "2011-01-01")  # not the birth date in her ID number
    save_draft(page)
    case = Case.objects.get(case_type="correction")
    # Shown as soon as it is saved, not first at the last approval.
    assert "与公民身份号码" in page.inner_text("[data-testid=case-blocking]")
    upload(page, "《居民户口簿》或其他证明文件复印件", PNG, name="hukou.png", mime="image/png")
    shot(page, "case-correction-1-saved-with-check")
    dialog_action(page, "submit", "confirm-submit")
    shot(page, "case-correction-2-refused")
    # The refusal is on the field it concerns, in Chinese with its article.
    error = page.inner_text("[data-field-wrapper]:has(#id_changes_birth_date) .error-message")
    assert "更正后的出生日期与公民身份号码" in error and "第十五条" in error
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.submitted_at is None
    assert Student.objects.get(pk=registration.student_id).birth_date == registration.student.birth_date


def test_illness_suspension_with_medical_certificate_submitted_and_approved(live_server, browser, county):
    school = SchoolFactory(category="1", name="城关区第四初级中学", county=county)
    registration = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                                    stage="junior", name="孙小强")
    staff("fourth-registrar", school)
    staff("fourth-head", school, Role.HEAD)  # decides the school step: never the submitter
    staff("chengguan-reviewer", county, Role.REVIEWER)
    base = live_server.url

    page = login(browser, base, "fourth-registrar")
    new_case(page, base, "休学")
    plan = page.inner_text("[data-testid=evidence-plan]")
    assert "家长书面申请" in plan and "县级及以上医院诊断证明" in plan
    pick(page, "student", "孙", "孙小强")
    choose(page, "reason", "因病需停课治疗休养")
    fill_date(page, "effective_on", "2026-03-02")
    fill_date(page, "end_on", "2026-08-31")
    page.check("#id_hospital_county_level")
    save_draft(page)
    case = Case.objects.get(case_type="suspension")
    for label in ("家长书面申请", "县级及以上医院诊断证明", "病历", "医药费票据"):
        upload(page, label, PDF, name=f"{label}.pdf")
    assert not page.query_selector("[data-testid=missing-evidence]")
    shot(page, "case-suspension-1-evidence")
    dialog_action(page, "submit", "confirm-submit")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW

    # 学校审核 by the school's head (the submitter never decides), then the county approves: the
    # last step warns first.
    page = login(browser, base, "fourth-head")
    open_case_page(page, base, case)
    dialog_action(page, "approve", "confirm-approve")
    page = login(browser, base, "chengguan-reviewer")
    open_case_page(page, base, case)
    page.click("footer [data-testid=approve]")
    assert "这是最后一步审批" in page.inner_text("dialog[open]")
    shot(page, "case-suspension-2-final-confirmation")
    page.click("dialog[open] [data-testid=confirm-approve]")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert not page.query_selector("[data-testid=case-checks]")  # no stale rule failures once approved
    shot(page, "case-suspension-3-approved")
    registration.refresh_from_db()
    assert registration.status == "suspended" and registration.suspended_until == datetime.date(2026, 8, 31)


def test_withdraw_edit_and_resubmit_the_same_case(live_server, browser, county):
    school = SchoolFactory(category="1", name="城关区第五初级中学", county=county)
    register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                     stage="junior", name="周小舟")
    staff("fifth-registrar", school)
    base = live_server.url

    page = login(browser, base, "fifth-registrar")
    new_case(page, base, "出境就读")
    pick(page, "student", "周", "周小舟")
    fill_date(page, "effective_on", "2026-03-02")
    page.fill("#id_destination", "新加坡 某中学")
    save_draft(page)
    # Seen in chromium: the footer's outlined buttons read teal on dark purple, as if disabled.
    assert contrast(page, "footer [data-testid=save-draft]") >= 4.5
    case = Case.objects.get(case_type="study_abroad")
    upload(page, "有效证件(护照、港澳台通行证及签注、境外学校录取或在读证明等)", PDF)
    dialog_action(page, "submit", "confirm-submit")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    shot(page, "case-withdraw-1-in-review")
    assert contrast(page, "footer [data-testid=withdraw]") >= 4.5
    dialog_action(page, "withdraw", "confirm-withdraw", "case-withdraw-2-dialog")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert "可修改后重新提交" in page.inner_text("body")
    page.fill("#id_destination", "新加坡 莱佛士书院")
    save_draft(page)
    dialog_action(page, "submit", "confirm-submit")
    shot(page, "case-withdraw-3-resubmitted")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW and case.details["destination"] == "新加坡 莱佛士书院"
    assert Case.objects.count() == 1 and case.workflow_states.count() == 2  # the same case, a new round
    body = page.inner_text("body")
    assert "取消工作流" not in body and "发布" not in body and "Submit" not in body
