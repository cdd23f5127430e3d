"""Every admin form answers hostile input with a Chinese form error and changes nothing — never a
500 (issue 11). Generated from the admin itself, for the superuser and for a school registrar:

- the forms: every page the user reaches from the admin (the menus, the links of every page,
  every admin URL pattern that takes no argument, the case editor of every case type) that
  renders a Django form posted back to it — our snippets (schools, classes, staff, auxiliary
  number templates, working-day overrides, archive entries, cases…) and Wagtail's own views
  the superuser reaches (pages with their stream fields, users, groups, sites, collections,
  workflows and tasks, redirects, documents, account settings);
- the values: for each field of the form, by its type, what no field accepts: NUL and other
  control characters, text over the field's limit, far or impossible dates, non-numbers and
  numbers beyond 32 bits, choices and keys that do not exist, malformed structured data (a JSON
  list where an object belongs, row and stream-block indexes that are not numbers, counts that
  do not match), formsets' management data; each posted with the rest of the form as the page
  filled it in;
- the verdict: no 500, no INSERT/UPDATE/DELETE (outside the read log, sessions and Wagtail's
  editing sessions), and a form shown again carries an error in Chinese.

At the end every form-bearing admin URL pattern must have been exercised or refused to the user,
so a new form is covered without editing this file (and one that cannot be reached fails it).
"""

import datetime
import io
import os
import re
from collections import defaultdict
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import PIL.Image
import pytest
from django import forms
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from cases.edge import MAX_TEXT
from cms.formguard import REGISTRY_APPS
from tests.test_admin_chinese import english_in

SEED, STUDENTS = 13, 100
NUL = "王\x00明"
CJK = re.compile(r"[\u4e00-\u9fff]")
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
# Writes a refused form may still make: the read log (a page shown again names its students),
# the session (messages) and Wagtail's editing sessions (the edit page's presence ping).
ALLOWED_WRITES = {"cases_readlogentry", "django_session", "wagtailadmin_editingsession"}
SKIP_PATH = re.compile(r"/(logout|delete|unpublish|lock|unlock|pdf|card|serve|download|export|preview|revert"
                       r"|workflow/action|workflow/collect_action_data|bulk|disable|enable|copy|convert_alias)/"
                       r"|\.(pdf|csv|xlsx)$|/(sprite|jsi18n|failwhale|test404)/")
PER_SHAPE = 1
DUMP = Path(os.environ["XUEJI_HOSTILE_DUMP"]) if os.environ.get("XUEJI_HOSTILE_DUMP") else None  # pages to read
MAX_PAGES = 800


# --- the demo ------------------------------------------------------------------------------
def _extras():
    """What the demo has none of, so that each form has an object to edit."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from cases import models as m
    from cases.services.archives import calendar_override_set
    from cases.services.auxiliary_numbers import auxiliary_template_set
    from cases.services.certificates import certificate_issue
    from cases.services.print_jobs import print_job_create
    from tests.case_types.helpers import World, open_case

    admin = get_user_model().objects.get(username="admin")
    calendar_override_set(acting_user=admin, day=datetime.date(2026, 10, 10), is_working_day=True, note="调休")
    county = m.Jurisdiction.objects.get(code="620102")
    auxiliary_template_set(acting_user=admin, jurisdiction=county, pattern="{county6}{year2}{seq:5}")
    Redirect.objects.create(old_path="/old", redirect_link="/")
    public = Collection.objects.filter(name="公开文件").first() or Collection.get_first_root_node()
    get_document_model().objects.create(title="公开通知", collection=public,
                                        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="notice.pdf"))
    image = io.BytesIO()
    PIL.Image.new("RGB", (4, 4)).save(image, "PNG")
    get_image_model().objects.create(title="校徽", collection=public, file=ContentFile(image.getvalue(), name="logo.png"),
                                     width=4, height=4)
    registrar = registrar_user()
    registration = m.Registration.objects.filter(school=registrar.staff_profile.school, status="active").first()
    world = World()
    world._users[("school", registration.school_id)] = registrar
    open_case(world, case_type="suspension", school=registration.school, student=registration.student,
              reason="other", end_on=datetime.date(2026, 8, 31))
    certificate = certificate_issue(acting_user=admin, kind=m.CertificateKind.STUDENT_CARD, student=registration.student)
    print_job_create(acting_user=admin, certificates=[certificate])
    m.JobRun.objects.create(job="promotion", period="2026", status=m.JobStatus.AWAITING_APPROVAL,
                            preview={"classes": 1})


def registrar_user():
    from cases.models import Role, StaffProfile

    profile = StaffProfile.objects.filter(role=Role.REGISTRAR, user__is_active=True,
                                          school__registrations__status="active").select_related("user")
    return profile.order_by("pk").first().user


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_regulation", stdout=io.StringIO())
            call_command("seed_demo", "--seed", str(SEED), "--students", str(STUDENTS), stdout=io.StringIO())
            _extras()
            yield
            transaction.set_rollback(True)


# --- the admin's URL patterns --------------------------------------------------------------
def admin_patterns(patterns=None, prefix="", namespace=""):
    """(route, name, view class) of every admin URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else \
                (pattern.namespace or namespace)
            yield from admin_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("admin/"):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, getattr(pattern.callback, "view_class", None)


def has_form(view_class):
    return view_class is not None and (hasattr(view_class, "get_form") or hasattr(view_class, "form_class"))


def start_urls():
    from wagtail.snippets.models import get_snippet_models

    from cases.case_types import CASE_TYPES

    urls = ["/admin/"]
    for route, name, view in admin_patterns():
        if name and "<" not in route and "^" not in route and "(" not in route:
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                pass
    case_add = reverse("wagtailsnippets_cases_case:add")
    urls += [f"{case_add}?type={code}" for code in sorted(CASE_TYPES)]
    for model in get_snippet_models():  # every snippet's edit form, linked from its listing or not
        objects = model._default_manager.order_by("pk")
        if model._meta.label == "cases.Case":  # a decided case's page has no form (the demo's day of work)
            objects = objects.filter(state="draft")
        first = objects.first()
        if first is not None:
            urls.append(reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:edit",
                                args=[first.pk]))
    return urls


def url_name(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    # A guard routed before the admin's URLs names the Wagtail route it stands in for.
    return getattr(match.func, "wagtail_view_name", None) or match.view_name


# --- reading a page's form as a browser would post it ---------------------------------------
class PostedForms(HTMLParser):
    """Every <form method=post> of a page: its action and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                          "data": defaultdict(list), "names": set()}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "name" not in attrs or "disabled" in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            form["names"].add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form["data"][name].append(attrs.get("value") or "on")
            else:
                form["data"][name].append(attrs.get("value") or "")
        elif tag == "textarea":
            form["names"].add(name)
            self._textarea = name
            form["data"][name].append("")
        elif tag == "select":
            form["names"].add(name)
            self._select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["data"][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            select = self._select
            values = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            self._form["data"][select["name"]].extend(values)
            self._select = None
        elif tag == "form":
            self._form = None


def posted_form(html, form):
    """The page's <form method=post> that holds most of ``form``'s fields, as (action, data)."""
    parser = PostedForms()
    parser.feed(html)
    names = {bf.html_name for bf in form}
    candidates = [f for f in parser.forms if f["method"] == "post"]
    if not candidates:
        return None
    best = max(candidates, key=lambda f: len({n.split("-")[0] for n in f["names"]} & names) + len(f["names"] & names))
    if not (best["names"] & names or any(n.startswith(tuple(f"{x}-" for x in names)) for n in best["names"])):
        return None
    return best["action"], {k: list(v) for k, v in best["data"].items()}


# --- hostile values by field type ------------------------------------------------------------
def patches(form, data):
    """[(label, {key: [values]})]: one hostile change of the posted data each."""
    from cases.admin.case_fields import DeclaredField, RowsWidget
    from cases.case_types import fields as f
    from wagtail.blocks.base import BlockField

    found = []
    model = getattr(getattr(form, "_meta", None), "model", None)
    registry = (model is not None and model._meta.app_label in REGISTRY_APPS) or \
        type(form).__module__.split(".")[0] in REGISTRY_APPS
    for name, field in form.fields.items():
        if field.disabled:
            continue
        html = form.add_prefix(name)
        if not isinstance(field, forms.BooleanField):  # a checkbox posted with any value is ticked
            found.append((f"{name}: NUL", {html: [NUL]}))
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.CharField) and (field.max_length or registry):
            limit = field.max_length or MAX_TEXT  # registry text without its own limit: cases/edge.py
            found.append((f"{name}: {limit + 1} characters", {html: ["长" * (limit + 1)]}))
        if isinstance(field, forms.DateTimeField):
            found += [(f"{name}: {v}", {html: [v]}) for v in ("9999-12-31 23:59:00", "0001-01-01 00:00:00")]
        elif isinstance(field, forms.DateField):
            found += [(f"{name}: {v}", {html: [v]}) for v in ("9999-12-31", "0001-01-01", "2026-02-30")]
        if isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
            found += [(f"{name}: {v}", {html: [v]}) for v in ("十二", "9" * 30)]
        if isinstance(field, forms.ModelMultipleChoiceField):
            found += [(f"{name}: [{v}]", {html: [v]}) for v in ("9" * 30, "²", "-1")]
        elif isinstance(field, forms.ModelChoiceField):
            found += [(f"{name}: {v}", {html: [v]}) for v in ("9" * 30, "²", "[1]")]
        elif isinstance(field, forms.ChoiceField):
            found.append((f"{name}: unknown choice", {html: ["不存在的选项"]}))
        if isinstance(field, forms.JSONField):
            found += [(f"{name}: {v}", {html: [v]}) for v in ("[1, 2]", '{"a": 1}', '{"a": "\\u0000"}')]
        if isinstance(field, BlockField):
            found += [(f"{name}: count {v}", {f"{html}-count": [v]}) for v in ("十", "99", "-1")]
        if isinstance(field, DeclaredField):
            item = field.item
            if item.kind in f.OBJECT_KINDS:
                found += [(f"{name}: {v}", {html: [v]}) for v in ("9" * 30, "²", "abc")]
            if isinstance(field.widget, RowsWidget):
                found.append((f"{name}: row index ²", {f"{html}-²-{item.rows[0].key}": ["1"]}))
                for sub in item.rows:
                    if sub.kind == f.ROWS:
                        continue
                    found.append((f"{name}.{sub.key}: NUL", {f"{html}-0-{sub.key}": [NUL]}))
                    if sub.kind == f.DATE:
                        found.append((f"{name}.{sub.key}: far date", {f"{html}-0-{sub.key}": ["9999-12-31"]}))
                    if sub.kind == f.INT:
                        found.append((f"{name}.{sub.key}: {'9' * 30}", {f"{html}-0-{sub.key}": ["9" * 30]}))
    for key in data:
        if key.endswith("-TOTAL_FORMS"):
            found += [(f"{key}: {v}", {key: [v]}) for v in ("十", "99999")]
    return found


# --- the walk ------------------------------------------------------------------------------
CASE_ADD = "/admin/snippets/cases/case/add/"


def shape(url):
    """Pages of one shape hold one form: numbers are any object, the query is a listing's
    filter — except the case editor's type, which picks the form."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + (f"?{parts.query}" if parts.path == CASE_ADD else "")


def the_form(response):
    for context in response.context or []:
        form = context.get("form")
        if isinstance(form, forms.BaseForm):
            return form
    return None


def errors_shown(response, html):
    """The Chinese error messages shown on the page: the form's, its formsets', the page's messages."""
    form = the_form(response)
    messages = []
    if form is not None and form.is_bound:
        messages = [str(message) for errors in form.errors.values() for message in errors]
        for formset in getattr(form, "formsets", {}).values():
            messages += [str(message) for message in formset.non_form_errors()]
            messages += [str(message) for errors in formset.errors for values in errors.values() for message in values]
    for context in response.context or []:
        if context.get("messages") is not None:
            messages += [str(message) for message in context["messages"] if "error" in message.tags]
    return [message for message in messages if CJK.search(message) and escape(message) in html]


def exercise(client, url, response, results):
    html = response.content.decode()
    form = the_form(response)
    posted = posted_form(html, form) if form is not None else None
    if posted is None:
        return False
    action, data = posted
    target = urljoin(url, action) if action else url
    for label, patch in patches(form, data):
        values = {**data, **patch}
        connection.queries_log.clear()  # a full log would hide this request's statements
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(target, values)
        where = f"{url_name(target)} {target} [{label}]"
        if answer.status_code >= 500:
            error = getattr(answer, "exc_info", None)
            results["500"].append(f"{where}: {error[1]!r}" if error else where)
            continue
        writes = {m.group(2) for q in queries.captured_queries if (m := WRITE.match(q["sql"]))} - ALLOWED_WRITES
        if writes:
            results["written"].append(f"{where}: {sorted(writes)}")
        if answer.status_code == 200 and "html" in answer.get("Content-Type", ""):
            if not errors_shown(answer, answer.content.decode()):
                results["no Chinese error"].append(where)
                if DUMP:
                    (DUMP / f"{len(results['no Chinese error'])}.html").write_bytes(answer.content)
    return True


class Walk:
    """What one user reaches of the admin, and what its forms answered."""

    def __init__(self, client):
        self.client, self.results = client, defaultdict(list)
        self.exercised, self.refused, self.seen = set(), {}, []

    def run(self, start):
        """Breadth first; one page of each shape is read (a refused page does not use up its shape:
        an object out of the user's scope is followed by one in it)."""
        per_shape, tried, queue = set(), set(), list(start)
        while queue and len(self.seen) < MAX_PAGES:
            url = queue.pop(0)
            parts = urlsplit(url)
            key = parts.path + ("?" + parts.query if parts.query else "")
            if not parts.path.startswith("/admin/") or SKIP_PATH.search(parts.path) or shape(key) in per_shape \
                    or key in tried:
                continue
            tried.add(key)
            self.seen.append(key)
            response = self.client.get(key)
            name = url_name(key)
            if response.status_code >= 500:
                self.results["500"].append(f"GET {key}")
                continue
            if response.status_code in (301, 302):  # a step on the way (a reset link's token, a login)
                queue.insert(0, response["Location"])
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                self.refused.setdefault(name, response.status_code)
                continue
            per_shape.add(shape(key))
            if exercise(self.client, key, response, self.results):
                self.exercised.add(name)
            _, links = english_in(response.content.decode())
            for link in links:
                absolute = urlsplit(urljoin(key, link))
                if absolute.netloc in ("", "testserver"):
                    queue.append(absolute.path + ("?" + absolute.query if absolute.query else ""))
        return self

    def report(self):
        return "\n".join(f"{kind} ({len(items)}):\n    " + "\n    ".join(sorted(set(items)))
                         for kind, items in self.results.items())


def not_reached():
    """Form views no role reaches through the admin's pages, each with why."""
    from wagtail.contrib.settings.registry import registry as settings_registry

    why = {}
    for _, name, view in admin_patterns():
        if not name or not has_form(view):
            continue
        view_part = name.rpartition(":")[2]
        if view_part in ("delete", "disable", "disable_task", "delete_upload_multiple"):
            why[name] = "a confirmation without input (and an action this walk does not take)"
        elif view_part in ("copy", "revisions_revert"):
            why[name] = "the add or edit form again, prefilled: exercised as add or edit"
        elif name.startswith("wagtailsettings:") and not list(settings_registry):
            why[name] = "no settings model is registered"
    # The demo's documents are all evidence, whose stock edit view answers as a missing id.
    why["wagtaildocs:edit"] = "tests/security/test_evidence_doors.py (evidence edited by nobody)"
    # The evidence upload is a second form of the case page (a file and its kind): see below.
    why["wagtailsnippets_cases_case:evidence"] = "test_evidence_upload_refuses_hostile_kinds_and_files"
    return why


def password_reset_link(user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse("wagtailadmin_password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                                default_token_generator.make_token(user)])


@pytest.mark.django_db
def test_hostile_values_in_every_admin_form_are_refused_in_chinese_and_write_nothing(demo):
    """The superuser walks the admin; a school registrar walks it too, and tries every page the
    superuser reached (each refused or its form exercised)."""
    from django.contrib.auth import get_user_model

    admin, registrar = get_user_model().objects.get(username="admin"), registrar_user()
    walks = {}
    for role, user, extra in (("admin", admin, []), ("registrar", registrar, None)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        start = start_urls() + [password_reset_link(user)] + (extra if extra is not None else walks["admin"].seen)
        walks[role] = walk = Walk(client).run(start)
        print(f"{role}: {len(walk.seen)} pages; forms exercised: {sorted(walk.exercised)}; "
              f"refused: {sorted(map(str, walk.refused))}")
        assert not walk.results, f"{role}:\n{walk.report()}"
    form_views = {name for route, name, view in admin_patterns() if name and has_form(view)}
    reached = walks["admin"].exercised | set(walks["admin"].refused) | set(not_reached())
    assert sorted(form_views - reached) == [], "form views the superuser neither exercised nor was refused"
    assert {"wagtailsnippets_cases_calendaroverride:add", "wagtailsnippets_cases_auxiliarynumbertemplate:edit",
            "wagtailsnippets_cases_school:edit", "wagtailsnippets_cases_staffprofile:add", "wagtailadmin_pages:edit",
            "wagtailusers_users:add", "wagtailadmin_workflows:edit_task"} <= walks["admin"].exercised
    assert {"wagtailsnippets_cases_case:add", "wagtailsnippets_cases_case:edit",
            "wagtailsnippets_cases_archiveentry:add", "wagtailsnippets_cases_student:edit"} <= walks["registrar"].exercised
    case_types = {urlsplit(url).query for url in walks["registrar"].seen if url.startswith(CASE_ADD + "?type=")}
    from cases.case_types import CASE_TYPES

    assert case_types == {f"type={code}" for code in CASE_TYPES}  # the registrar tried every case type's form


@pytest.mark.django_db
@pytest.mark.parametrize("kind, upload", [
    (NUL, ("a.pdf", b"%PDF-1.4\n%%EOF\n")), ("不存在的类别", ("a.pdf", b"%PDF-1.4\n%%EOF\n")), ("other", None),
    ("other", ("a.pdf", b"MZ\x90\x00 not a pdf")), ("other", ("a.exe", b"MZ")),
    ("other", ("a.pdf", b"")),
])
def test_evidence_upload_refuses_hostile_kinds_and_files(client, kind, upload):
    """The case page's second form (evidence: a kind and a file) answers each hostile value with
    a Chinese message on the case page and attaches nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Evidence
    from tests.case_types.helpers import World
    from tests.case_types.test_suspension import suspend
    from tests.factories import SchoolClassFactory, SchoolFactory, register_student

    registration = register_student(school_class=SchoolClassFactory(school=SchoolFactory(category="1"), cohort=2024))
    case, submitter = suspend(World(), registration, evidence=[])
    client.force_login(submitter)
    data = {"kind": kind, **({"file": SimpleUploadedFile(*upload)} if upload else {})}
    answer = client.post(reverse("wagtailsnippets_cases_case:evidence", args=[case.pk]), data, follow=True)
    assert answer.status_code == 200
    shown = [str(m) for m in answer.context["messages"] if "error" in m.tags]
    assert shown and all(CJK.search(message) for message in shown), shown
    assert not Evidence.objects.filter(case=case).exists()
