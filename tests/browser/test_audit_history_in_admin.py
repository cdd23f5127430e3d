"""The site history (Wagtail's report of the registry log) read in chromium by a city's
registrar: its counties' and its own schools' entries, never another city's — the scope is a
range of supervising codes (cases.access.audit_scope_filter). Screenshot in
test-artifacts/screenshots/history-city.png."""

import pytest

from cases.models import Jurisdiction
from tests.factories import SchoolFactory, register_student

from .test_transfer_in_admin import ARTIFACTS, browser, login, staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_city_reads_the_history_of_its_counties_only(live_server, browser):  # noqa: F811
    lanzhou, chengguan, qilihe, qinzhou = (Jurisdiction.objects.get(code=code)
                                           for code in ("6201", "620102", "620103", "620502"))
    ours = [register_student(school=SchoolFactory(category="1", county=county, name=name), name=student).student
            for county, name, student in ((chengguan, "城关区第一初级中学", "王小明"),
                                          (qilihe, "七里河区第二初级中学", "李晓红"))]
    theirs = register_student(school=SchoolFactory(category="1", county=qinzhou, name="秦州区第三初级中学"),
                              name="赵天水").student
    staff("lanzhou-registrar", lanzhou)

    page = login(browser, live_server.url, "lanzhou-registrar")
    page.goto(f"{live_server.url}/admin/reports/site-history/")
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "history-city.png"), full_page=True)
    text = page.inner_text("main")
    for student in ours:
        assert student.name in text
    assert theirs.name not in text and "秦州区" not in text
    assert "Traceback" not in page.content() and "Server Error" not in page.content()
