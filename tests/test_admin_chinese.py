"""No English and no internal code on any admin page, for every demo role.

Each demo role logs in and the test crawls what it can reach from the menus and the dashboard
(lists, forms, object pages, reports, choosers, filters), bounded: links are grouped by their
shape (numbers replaced), and a few of each shape are visited. A page fails when its visible
text (text nodes outside script/style, and the placeholder, title and aria-label attributes
a user sees, plus the sidebar's menu labels) holds an ASCII word outside a short allowlist:
English UI text ("Edit", "No results") and internal codes (``in_review``, ``senior``) both
show up as such words, while numbers, registry numbers and ID numbers do not.
"""

import io
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction

SEED, STUDENTS = 11, 300
# Words a Chinese registrar reads as they are.
ALLOWED = {"PDF", "GraphQL", "ID", "QR", "Excel", "API", "URL", "CSV", "XLSX", "ZIP", "AVIF", "GIF", "JPG",
           "JPEG", "PNG", "WEBP", "MB", "KB", "TSV", "localhost"}
# A registry number (G/L/J + digits), an ID number's X, a class code…: letters glued to digits
# are numbers, not words.
WORD = re.compile(r"(?<![A-Za-z0-9_.@/-])[A-Za-z][A-Za-z_'’]+(?![A-Za-z0-9_@/-])")
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
SKIP_TAGS = {"script", "style", "template", "noscript", "svg", "code"}
# Not pages: sign-out, POST-only operations (lock, unlock, enable), files (PDFs, downloads,
# exports), the workflow dialog's JSON, previews of the public pages.
SKIP_PATH = re.compile(r"/(logout|lock|unlock|enable|pdf|card|serve|download|workflow/action|workflow/collect"
                       r"|preview|export)/|\.(pdf|csv|xlsx)$")
ACCOUNT_PAGES = ("/admin/users/", "/admin/account/")
PER_SHAPE = 2
MAX_PAGES = 1000


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.links, self.sidebar = [], [], None
        self._skip = 0
        self._sidebar_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("id") == "wagtail-sidebar-props":
            self._sidebar_script = True
        if tag in SKIP_TAGS:
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if not self._skip and "hidden" not in attrs:
            for name in VISIBLE_ATTRIBUTES & set(attrs):
                if attrs[name]:
                    self.texts.append((f"@{name}", attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(("@value", attrs["value"]))

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag == "script":
            self._sidebar_script = False

    def handle_data(self, data):
        if self._sidebar_script:
            self.sidebar = (self.sidebar or "") + data
        elif not self._skip and data.strip():
            self.texts.append(("text", data.strip()))


def _values(node, wanted):
    """Values of the ``wanted`` key in the sidebar's JSON props (the menu is drawn by
    JavaScript from them): menu labels to read, menu URLs to follow."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == wanted and isinstance(value, str):
                yield value
            else:
                yield from _values(value, wanted)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, wanted)


def english_in(html, allowed=frozenset()):
    parser = VisibleText()
    parser.feed(html)
    texts, links = list(parser.texts), list(parser.links)
    if parser.sidebar:
        props = json.loads(parser.sidebar)
        texts += [("menu", text) for key in ("label", "footer_text") for text in _values(props, key)]
        links += list(_values(props, "url"))
    found = []
    for where, text in texts:
        words = [w for w in WORD.findall(text) if w not in ALLOWED | allowed and w.strip("'’") not in ALLOWED]
        if words:
            found.append(f"{where}: {text[:80]!r}")
    return found, links


def shape(path):
    return re.sub(r"\d+", "N", path)


BULK = re.compile(r"^/admin/bulk/(\w+)/(\w+)/\w+/$")


def crawl(client, start=("/admin/",), logins=frozenset(), first_id=None, every=()):
    """{path: [offending texts]} and the list of errors (status >= 500) over the reachable pages.
    ``every``: pages visited whatever their shape (each case of the day's work, in its state)."""
    seen, per_shape, offences, errors = set(), defaultdict(int), {}, []
    queue = list(every) + list(start)
    every = set(every)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        bulk = BULK.match(parts.path)
        if bulk and not parts.query and first_id is not None:
            # A bulk action's confirmation page (opened by JavaScript with the selected ids).
            pk = first_id(*bulk.groups())
            parts = urlsplit(f"{parts.path}?id={pk}") if pk is not None else parts
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen or SKIP_PATH.search(parts.path) or not parts.path.startswith("/admin/"):
            continue
        if key not in every and per_shape[shape(parts.path)] >= PER_SHAPE and parts.query == "":
            continue
        if key not in every and parts.query and per_shape[shape(parts.path) + "?"] >= PER_SHAPE:
            continue
        per_shape[shape(parts.path) + ("?" if parts.query else "")] += 1
        seen.add(key)
        response = client.get(key, follow=False)
        if response.status_code >= 500:
            errors.append(f"{key}: {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        # The account pages manage logins: there a login name is what the page is about.
        found, links = english_in(html, logins if parts.path.startswith(ACCOUNT_PAGES) else frozenset())
        if found:
            offences[key] = found
        for link in links:
            absolute = urljoin(key, link)
            if urlsplit(absolute).netloc in ("", "testserver"):
                queue.append(urlsplit(absolute).path + ("?" + urlsplit(absolute).query if urlsplit(absolute).query
                                                        else ""))
    return seen, offences, errors


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            # As scripts/demo builds it: the public pages, then the registry.
            call_command("load_regulation", stdout=io.StringIO())
            call_command("seed_demo", "--seed", str(SEED), "--students", str(STUDENTS), stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


def demo_users():
    from django.contrib.auth import get_user_model

    from cases.demo_cases import demo_registrar

    users = {"admin": get_user_model().objects.get(username="admin")}
    for username in ("province", "province-head", "province-exam", "city-6201", "county-620102",
                     "county-620102-head"):
        users[username] = get_user_model().objects.get(username=username)
    # The registrar of the demo logins, whose school holds the demo's day of work (cases/demo_cases.py).
    school_staff = demo_registrar()
    users["school"] = school_staff.user
    users["school-head"] = get_user_model().objects.get(username=f"{school_staff.user.username}-head")
    return users


# Every demo role, the superuser ("admin", the technical account that also keeps the public
# pages, sites, users, groups and workflows) included.
ROLES = ["admin", "school", "school-head", "county-620102", "county-620102-head", "city-6201", "province",
         "province-head", "province-exam"]


def first_visible(user):
    """The first object of a model that ``user`` sees (to open a bulk action's page with it)."""
    from django.apps import apps

    from cases import access

    def first_id(app_label, model_name):
        model = apps.get_model(app_label, model_name)
        objects = access.visible(user, model) if model in access.POLICIES else model._default_manager.all()
        found = objects.order_by("pk").values_list("pk", flat=True).first()
        return found

    return first_id


def days_work(user):
    """The pages of the demo's day of work (cases/demo_cases.py) that ``user`` may open: each case
    of the demo school (draft, at the school step, at the county step, returned by the school and
    by the county, withdrawn, approved, an intake with its Excel page), the certificate and its
    print job."""
    from django.urls import reverse

    from cases import access
    from cases.demo_cases import demo_registrar
    from cases.models import Case

    school = demo_registrar().school
    cases = access.visible(user, Case).filter(school=school).order_by("pk")
    pages = [reverse("wagtailsnippets_cases_case:edit", args=[case.pk]) for case in cases]
    pages += [reverse("wagtailsnippets_cases_case:inspect", args=[case.pk]) for case in cases[:1]]
    pages += [reverse("xueji_intake", args=[case.pk]) for case in cases.filter(case_type="registration")]
    certificates = access.certificates_visible(user).filter(school=school)
    pages += [reverse("wagtailsnippets_cases_certificate:inspect", args=[c.pk]) for c in certificates]
    pages += [reverse("wagtailsnippets_cases_printjob:inspect", args=[job.pk])
              for job in access.print_jobs_visible(user).filter(certificates__school=school).distinct()]
    return pages


@pytest.mark.django_db
def test_the_days_work_is_there_for_the_crawl(demo):
    """The crawl walks cases in every state (the demo's day of work), for the school and above."""
    from cases.models import Case, CaseState

    users = demo_users()
    school = days_work(users["school"])
    assert len([page for page in school if "/case/edit/" in page]) == 9
    assert any("/certificate/" in page for page in school) and any("/printjob/" in page for page in school)
    county = days_work(users["county-620102"])
    states = set(Case.objects.filter(pk__in=[int(page.rstrip("/").rsplit("/", 1)[1]) for page in county
                                             if "/case/edit/" in page]).values_list("state", flat=True))
    assert states >= {CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.APPROVED}
    assert days_work(users["province"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_english_on_any_admin_page(demo, client, role):
    user = demo_users()[role]
    client.force_login(user)
    from django.contrib.auth import get_user_model

    seen, offences, errors = crawl(client, logins=frozenset(get_user_model().objects.values_list("username", flat=True)),
                                   first_id=first_visible(user), every=days_work(user))
    assert 10 < len(seen) < MAX_PAGES, len(seen)  # every reachable page shape, not a truncated crawl
    assert not errors, errors
    report = "\n".join(f"{path}\n    " + "\n    ".join(items[:40]) for path, items in sorted(offences.items()))
    assert not offences, f"English or internal codes on {len(offences)} of {len(seen)} pages:\n{report}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_menu_item_opens_for_whoever_sees_it(demo, client, role):
    """A menu offers what the role may open: no item leads to 「没有权限访问」 (a redirect to the
    dashboard) or an error."""
    client.force_login(demo_users()[role])
    parser = VisibleText()
    parser.feed(client.get("/admin/").content.decode())
    urls = sorted({url for url in _values(json.loads(parser.sidebar), "url") if url.startswith("/admin/")})
    assert urls
    refused = {url: client.get(url).status_code for url in urls}
    assert {url: code for url, code in refused.items() if code != 200} == {}


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    found, _ = english_in(client.get("/admin/login/").content.decode())
    assert not found, found


def test_detector_catches_english_and_codes_but_not_numbers():
    page = ("<html><body><p>学籍号 G620102201205010012 身份证 62010220120501001X</p><p>PDF 下载</p>"
            "<script>var english = 'ignored';</script><p>状态 in_review</p><button>Save draft</button>"
            "<input placeholder='Search all pages…'></body></html>")
    found, _ = english_in(page)
    assert found == ["text: '状态 in_review'", "text: 'Save draft'", "@placeholder: 'Search all pages…'"]
