"""The registrar's workbench driven in Debian's chromium (Playwright), each a user's task from
start to finish: a county administrator creates a registrar; the registrar places new pupils
in a class in bulk; the county prints the diplomas of an approved graduation roll in the
background. Screenshots in test-artifacts/screenshots/workbench-*.png."""

import datetime

import pytest

from cases.models import CaseState, Certificate, Jurisdiction, PrintJob, Registration, Role, StaffProfile
from cases.services.cases import case_create
from tests.case_types.helpers import World, submit_and_approve_all
from tests.case_types.helpers import pdf as a_pdf
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .test_transfer_in_admin import ARTIFACTS, PASSWORD, browser, login, staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"workbench-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_county_administrator_creates_a_registrar(live_server, browser):  # noqa: F811
    county = Jurisdiction.objects.get(code="620102")
    school = SchoolFactory(category="1", name="城关区第一初级中学", county=county)
    staff("chengguan-head", county, Role.HEAD)
    base = live_server.url

    page = login(browser, base, "chengguan-head")
    page.click("text=学籍管理")
    page.click("a:has-text('学籍工作人员')")
    page.wait_for_load_state("networkidle")
    page.click("a[href$='/staffprofile/add/']")
    page.wait_for_load_state("networkidle")
    page.fill("#id_full_name", "马晓燕")
    page.fill("#id_username", "ma-xiaoyan")
    page.fill("#id_password1", "Gansu-xueji-2026")
    page.fill("#id_password2", "Gansu-xueji-2026")
    page.select_option("#id_unit_school", label="城关区第一初级中学")  # chosen by name, as a person does
    page.select_option("#id_role", label="学籍管理员")
    page.fill("#id_trained_on", "2026年8月20日")  # typed in the admin's one date form
    shot(page, "staff-1-form")
    page.click("footer button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    profile = StaffProfile.objects.get(user__username="ma-xiaoyan")
    assert profile.school == school and profile.trained_on == datetime.date(2026, 8, 20)
    assert "马晓燕" in page.content() and "已为" in page.content()
    shot(page, "staff-2-list")

    # The new registrar signs in and works in the school's scope.
    page = _login_as(browser, base, "ma-xiaoyan", "Gansu-xueji-2026")
    assert "待我审批的学籍变动" in page.content() and "在籍未分班的学生" in page.content()
    shot(page, "staff-3-new-registrar")


def _login_as(browser, base, username, password):  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registrar_places_new_pupils_in_a_class_in_bulk(live_server, browser):  # noqa: F811
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    SchoolClassFactory(school=school, stage="junior", cohort=2025, class_name="1班")
    target = SchoolClassFactory(school=school, stage="junior", cohort=2025, class_name="2班")
    pupils = [register_student(school=school, name=name) for name in ("张小明", "李华", "王芳")]
    other = register_student(school=school, name="赵强")
    staff("school-registrar", school)
    base = live_server.url

    page = login(browser, base, "school-registrar")
    assert "在籍未分班的学生" in page.content() and "张小明" in page.content()
    page.click("text=查看全部未分班学生")
    page.wait_for_load_state("networkidle")
    shot(page, "placement-1-unplaced")
    for registration in pupils:
        page.check(f"input[data-bulk-action-checkbox][data-object-id='{registration.student_id}']")
    page.click(".bulk-actions-buttons >> text=分班")
    page.wait_for_load_state("networkidle")
    assert all(r.student.name in page.content() for r in pupils)
    page.select_option("#id_school_class", str(target.pk))
    shot(page, "placement-2-choose-class")
    page.click("button:has-text('确认分班')")
    page.wait_for_load_state("networkidle")
    assert "已将 3 名学生分入" in page.content()
    shot(page, "placement-3-done")
    assert set(Registration.objects.filter(school_class=target).values_list("pk", flat=True)) == {
        r.pk for r in pupils}
    assert Registration.objects.get(pk=other.pk).school_class_id is None

    # The record shows the class and the move in the timeline.
    page.goto(f"{base}/admin/snippets/cases/student/inspect/{pupils[0].student_id}/")
    assert "初中2025级2班" in page.content() and "未分班 → 初中2025级2班" in page.content()
    shot(page, "placement-4-record")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_county_prints_the_diplomas_of_a_graduation_roll(live_server, browser):  # noqa: F811
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    final_year = SchoolClassFactory(school=school, stage="junior", cohort=2023, class_name="3班")
    registrations = [register_student(school_class=final_year, name=f"毕业生{i}", started_on=datetime.date(2023, 9, 1),
                                      birth_date=datetime.date(2011, 3, 1)) for i in range(4)]
    world = World()
    submitter = world.school_user(school)
    case = case_create(acting_user=submitter, case_type="graduation", school=school, stage="junior",
                       effective_on=datetime.date(2026, 7, 1), details={"graduates": [r.pk for r in registrations]})
    from cases.services.cases import evidence_attach

    evidence_attach(acting_user=submitter, case=case, kind="graduate_roll", uploaded_file=a_pdf())
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert case.state == CaseState.APPROVED
    county_user = approvers[-1]
    county_user.set_password(PASSWORD)
    county_user.save()
    base = live_server.url

    page = login(browser, base, county_user.username)
    page.goto(f"{base}/admin/snippets/cases/case/?case_type=graduation")
    page.wait_for_load_state("networkidle")
    shot(page, "print-1-rolls")
    page.click(f"tr:has-text('{case.number}') a:has-text('打印证书')")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_kind", "diploma")
    page.check("#id_issue_missing")
    shot(page, "print-2-form")
    # Issuing cannot be undone: the registrar is asked first (a refusal starts nothing).
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('开始打印')")
    page.wait_for_timeout(500)
    assert asked and "签发后不能撤销" in asked[0] and not PrintJob.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('开始打印')")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-testid=print-progress][data-status=done]", timeout=60000)
    assert "4 / 4" in page.content()
    shot(page, "print-3-progress")
    job = PrintJob.objects.get()
    assert (job.status, job.done, job.total) == ("done", 4, 4)
    assert Certificate.objects.filter(kind="diploma", student__registrations__in=registrations).count() == 4
    with page.expect_download() as download:
        page.click("[data-testid=print-download]")
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_city_filters_its_students_by_a_school_found_by_name(live_server, browser):  # noqa: F811
    """Above a county the 学校 filter is a search box (a city reads hundreds of schools, the
    province twelve thousand): the reviewer types part of a name, picks the school and the list
    follows; only the city's own schools are offered."""
    lanzhou, chengguan, qilihe = (Jurisdiction.objects.get(code=code) for code in ("6201", "620102", "620103"))
    first = SchoolFactory(category="1", name="城关区第一初级中学", county=chengguan)
    second = SchoolFactory(category="1", name="七里河区第二初级中学", county=qilihe)
    SchoolFactory(category="1", name="秦州区第一初级中学", county=Jurisdiction.objects.get(code="620502"))
    register_student(school=first, name="张城关")
    register_student(school=second, name="李七里")
    staff("lanzhou-reviewer", lanzhou, Role.REVIEWER)

    page = login(browser, live_server.url, "lanzhou-reviewer")
    page.goto(f"{live_server.url}/admin/snippets/cases/student/")
    page.wait_for_load_state("networkidle")
    assert "张城关" in page.content() and "李七里" in page.content()
    page.locator("#filters-drilldown button").first.click()
    page.locator("#filters-drilldown button", has_text="学校").first.click()
    page.locator("[data-xj-picker][data-name=school] input[type=search]").type("初级中学", delay=30)
    options = page.locator("[data-xj-picker][data-name=school] .xj-picker__option")
    options.first.wait_for()
    offered = options.all_inner_texts()
    assert any("城关区第一初级中学" in o for o in offered) and not any("秦州区" in o for o in offered)
    shot(page, "school-filter-1-search")
    options.filter(has_text="城关区第一初级中学").click()
    page.wait_for_url(f"**school={first.pk}**")
    page.wait_for_load_state("networkidle")
    listed = page.locator("#listing-results").inner_text()
    assert "张城关" in listed and "李七里" not in listed
    shot(page, "school-filter-2-chosen")
    # Removing the filter by its tag refreshes the list and puts new filters in the page: their
    # search box still searches (it was set up once, at load, and stayed dead).
    page.locator(".w-active-filters .w-pill__remove:visible").first.click()
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !location.search.includes('school=')")
    assert "李七里" in page.locator("#listing-results").inner_text()
    if not page.locator("[data-xj-picker][data-name=school] input[type=search]").is_visible():
        if not page.locator("#filters-drilldown button", has_text="学校").first.is_visible():
            page.locator("#filters-drilldown button").first.click()  # the drawer closed with the list
        page.locator("#filters-drilldown button", has_text="学校").first.click()
    page.locator("[data-xj-picker][data-name=school] input[type=search]").type("第二", delay=30)
    options = page.locator("[data-xj-picker][data-name=school] .xj-picker__option")
    options.first.wait_for()
    assert any("七里河区第二初级中学" in o for o in options.all_inner_texts())
    shot(page, "school-filter-3-after-removing-the-tag")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_county_exports_a_class_roster_found_by_school_and_class(live_server, browser):  # noqa: F811
    """The roster form above a school searches its school, then a class of that school; choosing
    another school empties the class chosen before (its roster would be of the first school)."""
    chengguan = Jurisdiction.objects.get(code="620102")
    first = SchoolFactory(category="0", name="城关区第一小学", county=chengguan)
    second = SchoolFactory(category="0", name="城关区第二小学", county=chengguan)
    SchoolClassFactory(school=first, stage="primary", cohort=2025, class_name="1班")
    SchoolClassFactory(school=second, stage="primary", cohort=2025, class_name="2班")
    staff("chengguan-reviewer", chengguan, Role.REVIEWER)

    page = login(browser, live_server.url, "chengguan-reviewer")
    page.goto(f"{live_server.url}/admin/rosters/")
    school = page.locator("[data-xj-picker][data-name=school]")
    klass = page.locator("[data-xj-picker][data-name=school_class]")
    school.locator("input[type=search]").type("第一", delay=30)
    school.locator(".xj-picker__option", has_text="城关区第一小学").click()
    klass.locator("input[type=search]").click()
    klass.locator(".xj-picker__option", has_text="1班").click()
    assert klass.locator(".xj-picker__chip").count() == 1
    shot(page, "roster-1-school-and-class")
    school.locator("[data-xj-remove]").click()  # another school: the class chosen before goes
    assert klass.locator(".xj-picker__chip").count() == 0
    school.locator("input[type=search]").type("第二", delay=30)
    school.locator(".xj-picker__option", has_text="城关区第二小学").click()
    klass.locator("input[type=search]").click()
    offered = klass.locator(".xj-picker__option")
    offered.first.wait_for()
    assert offered.all_inner_texts() and all("2班" in o for o in offered.all_inner_texts())
    offered.first.click()
    page.select_option("select[name=format]", "xlsx")
    with page.expect_download() as download:
        page.click("[data-testid=roster-form] button[type=submit]")
    assert download.value.suggested_filename.endswith(".xlsx")
    shot(page, "roster-2-second-school")
