"""The public screens in Debian's chromium (Playwright) at desktop and phone widths: the
regulation page, /lookup/ and /verify/. Screenshots go to test-artifacts/screenshots/; on a phone
nothing may scroll sideways."""

import os

import pytest
from django.core.management import call_command

from tests.browser.test_transfer_in_admin import ARGS, ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (scripts/setup)"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENS = {"regulation": "/regulation/", "lookup": "/lookup/", "verify": "/verify/",
           "verify-unknown": "/verify/?serial=GSBY2026-000001&code=ABCDEFGH"}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_screens_fit_desktop_and_phone(live_server, browser):
    call_command("load_regulation", verbosity=0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="zh-CN",
                                      is_mobile=device == "phone", has_touch=device == "phone")
        page = context.new_page()
        for name, path in SCREENS.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (device, path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / f"public-{name}-{device}.png"), full_page=True)
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]")
            if device == "phone":
                assert scroll_width <= inner_width, (path, scroll_width, inner_width)
        # The regulation page's anchors work: the article is scrolled into view.
        page.goto(f"{live_server.url}/regulation/#art-22")
        assert page.locator("#art-22").is_visible()
        assert "转学" in page.locator("#art-22 .cited").inner_text()
        context.close()
