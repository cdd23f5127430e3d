"""Dates in the Chinese admin, in Debian's chromium: typed as 2026年12月15日 they stay as typed
when the box is left (the picker's own parser read them as 1 January and replaced them), in the
fields and in the rows of an intake; picked from the calendar they are written in that form."""

import pytest

from cases.models import Role
from tests.factories import SchoolFactory

from .case_steps import SKIP, close_calendars, launch, login, new_case, shot, staff

pytestmark = [pytest.mark.browser, SKIP, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    playwright, browser = launch()
    yield browser
    browser.close()
    playwright.stop()


def test_typed_and_picked_dates_keep_the_one_date_form(live_server, browser):
    school = SchoolFactory(category="0", name="城关区第九小学")
    staff("ninth-registrar", school, Role.REGISTRAR)
    page = login(browser, live_server.url, "ninth-registrar")
    new_case(page, live_server.url, "新生注册")
    for typed in ("2026年12月15日", "2026年3月5日"):
        page.fill("#id_effective_on", typed)
        close_calendars(page)
        page.fill("input[name=people-0-birth_date]", "2020年3月5日")
        close_calendars(page)
        page.fill("input[name=people-0-name]", "张一")  # leave both boxes
        close_calendars(page)
        assert page.input_value("#id_effective_on") == typed
        assert page.input_value("input[name=people-0-birth_date]") == "2020年3月5日"
    page.click("input[name=people-1-birth_date]")
    # Only this box's calendar is open now: pick the 9th in it.
    page.click(".xdsoft_datetimepicker >> visible=true >> .xdsoft_date[data-date='9']")
    close_calendars(page)
    assert "月9日" in page.input_value("input[name=people-1-birth_date]")
    shot(page, "dates-1-typed-and-picked")
