"""What a registrar or an approver does on a case screen, step by step, in Debian's chromium:
the buttons and dialogs of the case page (保存草稿, 提交, 撤回, 同意, 退回) and the form's
pickers and rows. Shared by the browser tests of case work."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

from cases.models import Role
from cases.services.staff import staff_create

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "browser-pass-2026"
SKIP = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (scripts/setup)")
# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def staff(username, unit, role=Role.REGISTRAR):
    return staff_create(acting_user=None, username=username, password=PASSWORD, full_name=username, unit=unit,
                        role=role, trained_on=datetime.date(2025, 1, 1)).user


def launch():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


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
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def new_case(page, base, type_name):
    """学籍变动 → 新建 → the type, as a registrar finds it."""
    page.goto(f"{base}/admin/snippets/cases/case/add/")
    page.click(f"[data-testid=case-type-choice] a:text-is('{type_name}')")
    page.wait_for_load_state("networkidle")


def pick(page, field, query, choice):
    """Type into a picker's search box and click the matching result."""
    page.fill(f"#id_{field}", query)
    page.click(f".xj-picker__option:has-text('{choice}')")
    page.wait_for_selector(f"[data-name={field}] .xj-picker__chip:has-text('{choice}')")


def fill_date(page, field, value):
    """Put a date in a date box (typed dates are accepted as well as picked ones). Set without
    focusing the box: the calendar pop-up would otherwise cover the next fields in headless runs."""
    page.eval_on_selector(f"#id_{field}", "(box, value) => { box.value = value;"
                          " box.dispatchEvent(new Event('change', {bubbles: true})); }", value)


def close_calendars(page):
    """Close every open calendar before the next step. A date box's calendar opens 100 ms after
    the box takes focus, so once a box is filled and left its calendar may still pop up, over the
    next field or beside the next box's calendar: let that delay pass, close what is open, and
    wait until no calendar shows."""
    page.wait_for_timeout(150)  # the picker's own delay before it opens (not a timing under test)
    page.evaluate("() => window.jQuery && jQuery('.xdsoft_datetimepicker:visible').trigger('close.xdsoft')")
    page.wait_for_function("() => ![...document.querySelectorAll('.xdsoft_datetimepicker')]"
                           ".some(picker => picker.offsetParent !== null)")


def choose(page, field, label):
    page.select_option(f"#id_{field}", label=label)


def save_draft(page):
    page.click("footer [data-testid=save-draft]")
    page.wait_for_load_state("networkidle")


def upload(page, kind_label, content, name="scan.pdf", mime="application/pdf"):
    page.select_option("[data-testid=evidence-form] select[name=kind]", label=kind_label)
    page.set_input_files("[data-testid=evidence-form] input[name=file]",
                         files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.click("[data-testid=evidence-form] button[type=submit]")
    page.wait_for_load_state("networkidle")


def dialog_action(page, opener, confirm, screenshot=None):
    """Open a confirmation dialog from the footer, optionally photograph it, confirm."""
    page.click(f"footer [data-testid={opener}]")
    page.wait_for_selector(f"dialog[open] [data-testid={confirm}]")
    if screenshot:
        shot(page, screenshot)
    page.click(f"dialog[open] [data-testid={confirm}]")
    page.wait_for_load_state("networkidle")


def open_case_page(page, base, case):
    page.goto(f"{base}/admin/snippets/cases/case/edit/{case.pk}/")
    page.wait_for_load_state("networkidle")


def messages(page):
    return page.inner_text("body")


CONTRAST = """el => {
    const parse = c => c.match(/[\\d.]+/g).map(Number);
    let node = el, bg = getComputedStyle(el).backgroundColor;
    while (parse(bg)[3] === 0 && node.parentElement) { node = node.parentElement; bg = getComputedStyle(node).backgroundColor; }
    const lum = c => { const [r, g, b] = parse(c).slice(0, 3).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const a = lum(getComputedStyle(el).color), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(page, selector):
    """The WCAG contrast ratio of an element's text against the background it is drawn on."""
    page.mouse.move(0, 0)  # not hovering it
    return page.eval_on_selector(selector, CONTRAST)
