"""A transfer driven through the Chinese admin in Debian's chromium (Playwright): the origin
registrar opens it, attaches evidence and submits; each approver logs in and approves; the
student ends at the destination with a new auxiliary number. Screenshots are kept in
test-artifacts/screenshots/."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

from cases.access import mask
from cases.models import Case, CaseState, Jurisdiction, Registration, Role
from cases.services.staff import staff_create
from tests.case_types.helpers import PDF
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .case_steps import dialog_action, new_case, pick, save_draft, upload

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "browser-pass-2026"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (scripts/setup)"),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls in the test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def staff(username, unit, role=Role.REGISTRAR):
    return staff_create(acting_user=None, username=username, password=PASSWORD, full_name=username, unit=unit,
                        role=role, trained_on=datetime.date(2025, 1, 1)).user


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def login(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"transfer-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transfer_through_the_admin_in_chinese(live_server, browser):
    origin = SchoolFactory(category="1", name="城关区第一初级中学")
    destination = SchoolFactory(category="1", name="秦州区第二中学", code="1162050202",
                                county=Jurisdiction.objects.get(code="620502"))
    chosen = SchoolClassFactory(school=destination, stage="junior", cohort=2024, class_name="3班")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024),
                                    stage="junior", name="王小明")
    old_number = registration.auxiliary_numbers.get().number
    staff("origin-registrar", origin)
    staff("origin-head", origin, Role.HEAD)  # decides the origin school's step: never the submitter
    staff("destination-registrar", destination)
    staff("chengguan-reviewer", Jurisdiction.objects.get(code="620102"), Role.REVIEWER)
    staff("qinzhou-reviewer", Jurisdiction.objects.get(code="620502"), Role.REVIEWER)
    base = live_server.url

    page = login(browser, base, "origin-registrar")
    page.click("text=学籍变动")
    page.wait_for_load_state("networkidle")
    new_case(page, base, "转学")
    pick(page, "student", "王", "王小明")
    page.select_option("#id_transfer_scope", label="省内转学")
    pick(page, "destination_school", "秦州", "秦州区第二中学")
    pick(page, "destination_class", "", "初中2024级")
    page.select_option("#id_reason", label="随父母迁居或务工")
    page.fill("#id_reason_text", "随父母迁居天水")
    page.fill("#id_effective_on", "2026-03-02")
    shot(page, "1-new-case")
    save_draft(page)
    case = Case.objects.get(student=registration.student)
    assert "提交前还须上传" in page.content()

    for kind in ("转学申请及《甘肃省中小学生转学证明》", "迁居或务工证明"):
        upload(page, kind, PDF)
    assert "证明材料已上传" in page.content() and "提交前还须上传" not in page.content()
    shot(page, "2-evidence")
    dialog_action(page, "submit", "confirm-submit")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    shot(page, "3-submitted")

    for step, approver in enumerate(["destination-registrar", "origin-head", "chengguan-reviewer",
                                     "qinzhou-reviewer"], start=4):
        page = login(browser, base, approver)
        assert case.number in page.content()  # 待我审批
        page.click(f"text={case.number}")
        page.wait_for_load_state("networkidle")
        shot(page, f"{step}-{approver}")
        dialog_action(page, "approve", "confirm-approve")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    shot(page, "8-approved")

    new = Registration.objects.open().get(student=registration.student)
    assert new.school == destination
    live = new.auxiliary_numbers.get(cancelled_at__isnull=True).number
    assert live != old_number and Registration.objects.get(pk=registration.pk).status == "transferred_out"
    # The student arrives with the class chosen on the form, hence a grade; the destination's
    # registrar finds the pupil from the dashboard's search and reads both on the record.
    assert new.school_class == chosen and new.grade_label() == chosen.grade_label() != ""
    page = login(browser, base, "destination-registrar")
    page.fill("#dashboard-student-search", "王小明")
    page.press("#dashboard-student-search", "Enter")
    page.wait_for_load_state("networkidle")
    page.click(f"a:has-text('{registration.student.registry_number}')")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=current-class]").startswith("初中2024级3班")
    assert chosen.grade_label() in page.inner_text("[data-testid=current-class]")
    assert "秦州区第二中学" in page.inner_text("[data-testid=student-summary]")
    shot(page, "9-record-with-class-and-grade")
    # The origin school still reads its former pupil (第十四条), the G number (the ID number)
    # masked: the student's current registration is at the destination, which holds it now.
    number = registration.student.registry_number
    page = login(browser, base, "origin-registrar")
    page.goto(f"{base}/admin/snippets/cases/student/inspect/{registration.student_id}/")
    page.wait_for_load_state("networkidle")
    shown = page.content()
    assert "王小明" in shown and mask("registry_number", number) in shown and number not in shown
    assert "修改联系信息" not in shown and f"/student/edit/{registration.student_id}/" not in shown  # reads only
    shot(page, "10-origin-reads-former-pupil-masked")
