"""Province-scale timings (issue 13) on a database built by ``manage.py seed_province``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xueji_province \\
        DJANGO_SETTINGS_MODULE=cms.settings.dev python bench/province.py [--runs 15] [--only NAME]

Every figure is a median of warm runs next to a plain query of the same data in the same run
(the ratio is what travels between machines). Writes are measured inside a transaction that
is rolled back, so the database stays as seeded. Results go to bench/results/ as Markdown and
JSON, with the machine's core count. Nothing here is a test.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
# Connections kept between requests, as in production (cms/settings/production.py): a new
# connection per request would be timed otherwise, on both sides of every comparison.
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

# Set up as the web workers are (cms/wsgi.py: Django, the URLs and the API loaded, then kept
# out of the garbage collector's scans).
import cms.wsgi  # noqa: E402, F401
import django  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402

from cases import access  # noqa: E402
from cases import models as m  # noqa: E402

User = get_user_model()
RESULTS = ROOT / "bench" / "results"
STUDENT_LIST = "wagtailsnippets_cases_student:list_results"


class Rollback(Exception):
    pass


def median_ms(fn, runs):
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_ms(fns, runs):
    """Medians of several calls measured in turns (a, b, a, b…): the machine is shared and its
    load changes within a run, so a ratio of two figures measured minutes apart measures that
    too."""
    for fn in fns:
        fn()  # warm
    times = [[] for _ in fns]
    for _ in range(runs):
        for spent, fn in zip(times, fns):
            start = time.perf_counter()
            fn()
            spent.append((time.perf_counter() - start) * 1000)
    return [statistics.median(spent) for spent in times]


def once_ms(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def queries_of(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def rolled_back(fn):
    """Run ``fn`` in a transaction that is rolled back; return its time in ms."""
    result = {}
    try:
        with transaction.atomic():
            start = time.perf_counter()
            fn()
            result["ms"] = (time.perf_counter() - start) * 1000
            raise Rollback
    except Rollback:
        pass
    return result["ms"]


# --- the plain Django view GraphQL is compared with -----------------------------------------
def plain_student(request):
    """What a hand-written JSON endpoint does: one indexed query, no scope, no GraphQL."""
    s = (m.Student.objects.select_related("current_registration__school")
         .get(registry_number=request.GET["n"]))
    return JsonResponse({"registryNumber": s.registry_number, "name": s.name,
                         "status": s.current_registration.status, "school": s.current_registration.school.name})


def plain_page(request):
    """The same 50 students as the GraphQL page, as a hand-written JSON endpoint: no scope (the
    county's, or without ``county`` the province's first 50)."""
    county = request.GET.get("county")
    rows = (m.Student.objects.filter(**({"scope_code": county} if county else {})).order_by("registry_number")
            .select_related("current_registration__school", "current_registration__school_class"))[:50]
    return JsonResponse([{"registryNumber": s.registry_number, "name": s.name, "gender": s.gender,
                          "birthDate": s.birth_date.isoformat(), "status": s.current_registration.status,
                          "school": s.current_registration.school.name,
                          "class": getattr(s.current_registration.school_class, "class_name", None)} for s in rows],
                        safe=False, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/plain-student/", plain_student), path("bench/plain-page/", plain_page)]


def bench_urls():
    from cms import urls as cms_urls

    module = type(sys)("bench_urls")
    module.urlpatterns = urlpatterns + cms_urls.urlpatterns
    sys.modules["bench_urls"] = module
    return "bench_urls"


# --- the figures -----------------------------------------------------------------------------
def pick_county():
    """A county of about average size, with its staff user."""
    row = (m.Student.objects.filter(scope_code__regex=r"^\d{6}$").values("scope_code")
           .annotate(n=django.db.models.Count("id")).order_by("-n"))
    counts = list(row[:40])
    county = counts[len(counts) // 2]
    return county["scope_code"], county["n"]


def admin_client(username):
    """A signed-in session past the two-factor step (authority staff must use it): the user's
    authenticator device is confirmed and recorded in the session, as after entering a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    from django_otp import DEVICE_ID_SESSION_KEY

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="基准测试", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session  # what django_otp.login stores after a correct code
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def figure_admin_search(out, runs, county):
    county_user, province_user = f"county-{county}", "province"
    student = m.Student.objects.filter(scope_code=county, id_number__isnull=False).order_by("id")[1000:1001].get()
    url = reverse(STUDENT_LIST)
    for who in (county_user, province_user):
        client = admin_client(who)
        for label, q in (("registry number", student.registry_number), ("ID number", student.id_number),
                         ("name prefix", student.name[:2]), ("pinyin prefix", student.name_pinyin[:5]),
                         ("initials", student.name_initials)):
            response = client.get(url, {"q": q})
            assert response.status_code == 200 and (label not in ("registry number", "ID number")
                                                    or student.registry_number in response.content.decode())
            ms = median_ms(lambda: client.get(url, {"q": q}), runs)
            n = queries_of(lambda: client.get(url, {"q": q}))
            out.append({"figure": f"admin student search by {label} ({'county' if who == county_user else 'province'})",
                        "ms": ms, "queries": n, "q": q})
    plain = median_ms(lambda: list(m.Student.objects.filter(registry_number=student.registry_number)), runs)
    out.append({"figure": "plain: Student by registry number (ORM)", "ms": plain})
    plain = median_ms(lambda: list(m.Student.objects.filter(name__startswith=student.name[:2])
                                   .order_by("registry_number")[:50]), runs)
    out.append({"figure": "plain: 50 students by name prefix (ORM, unscoped)", "ms": plain})


def figure_admin_listing(out, runs, county):
    url = reverse(STUDENT_LIST)
    for who in (f"county-{county}", "province"):
        client = admin_client(who)
        first = client.get(url)
        assert first.status_code == 200
        deep_key = (access.in_scope(User.objects.get(username=who), m.Student)
                    .order_by("registry_number").values_list("registry_number", flat=True)[5000:5001].first())
        scope = "county" if who != "province" else "province"
        out.append({"figure": f"admin student listing, first page ({scope})", "ms": median_ms(lambda: client.get(url), runs),
                    "queries": queries_of(lambda: client.get(url))})
        out.append({"figure": f"admin student listing, page after 5,000 rows ({scope})",
                    "ms": median_ms(lambda: client.get(url, {"after": deep_key}), runs)})
        out.append({"figure": f"admin student listing with count up to 10,000 ({scope})",
                    "ms": median_ms(lambda: client.get(url, {"count": "1"}), runs)})
    plain = median_ms(lambda: list(m.Student.objects.filter(scope_code=county).order_by("registry_number")[:50]), runs)
    out.append({"figure": "plain: 50 students of the county (ORM)", "ms": plain})
    # Whole pages as a person opens them (menus, filters with their school picker), and the
    # cases' list over the years of approved cases seed_province writes.
    for who in (f"county-{county}", f"city-{county[:4]}", "province"):
        client = admin_client(who)
        for label, name in (("student list, whole page", "wagtailsnippets_cases_student:list"),
                            ("case list, whole page", "wagtailsnippets_cases_case:list")):
            assert client.get(reverse(name)).status_code == 200
            out.append({"figure": f"admin {label} ({who})", "ms": median_ms(lambda: client.get(reverse(name)), runs),
                        "queries": queries_of(lambda: client.get(reverse(name)))})


# Other doors of the admin, each a whole page as its user opens it: the ones a sweep of every
# listing, chooser and report at 5 M found slow (session 10: 0.5-26 s), kept measured.
DOORS = [
    ("province", "oversight recheck", "/admin/oversight/"),
    ("province", "oversight board", "/admin/oversight/?report=board"),
    ("city", "oversight recheck", "/admin/oversight/"),
    ("province", "roster form", "/admin/rosters/"),
    ("school", "index of record types", "/admin/snippets/"),
    ("province", "index of record types", "/admin/snippets/"),
    ("county", "registrations searched by a surname", "/admin/snippets/cases/registration/?q=陈"),
    ("county", "registrations searched by pinyin", "/admin/snippets/cases/registration/?q=chenp"),
    ("city", "registrations searched by a surname", "/admin/snippets/cases/registration/?q=陈"),
    ("county", "site history", "/admin/reports/site-history/"),
    ("school", "new archive entry form", "/admin/snippets/cases/archiveentry/add/"),
]


def figure_doors(out, runs, county):
    school = m.School.objects.filter(scope_code=county).order_by("id").first()
    users = {"province": "province", "city": f"city-{county[:4]}", "county": f"county-{county}",
             "school": f"school-{school.code}"}
    clients = {}
    for who, label, url in DOORS:
        client = clients.setdefault(who, admin_client(users[who]))
        assert client.get(url).status_code == 200, (who, url)
        out.append({"figure": f"{label} ({users[who]})", "ms": median_ms(lambda: client.get(url), max(3, runs // 3)),
                    "queries": queries_of(lambda: client.get(url))})


def figure_dashboard(out, runs, county):
    school = m.School.objects.filter(scope_code=county).order_by("id").first()
    for who in ("province", f"city-{county[:4]}", f"county-{county}", f"school-{school.code}", "admin"):
        client = admin_client(who)
        assert client.get("/admin/").status_code == 200
        out.append({"figure": f"dashboard ({who})", "ms": median_ms(lambda: client.get("/admin/"), runs),
                    "queries": queries_of(lambda: client.get("/admin/"))})
    today = datetime.date.today()
    plain = median_ms(lambda: list(m.Registration.objects.filter(status="suspended", suspended_until__lt=today)
                                   .order_by("suspended_until")[:20]), runs)
    out.append({"figure": "plain: 20 overdue suspensions of the province (ORM)", "ms": plain})


def figure_graphql(out, runs, county):
    from graphql_api.services import api_token_create

    user = User.objects.get(username=f"county-{county}")
    token = None
    with transaction.atomic():
        _, token = api_token_create(acting_user=None, user=user, name="bench", days=1)
    student = m.Student.objects.filter(scope_code=county).order_by("id")[2000:2001].get()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    one = {"query": "query($n: String) { student(registryNumber: $n) { registryNumber name "
                    "currentRegistration { status school { name } } } }", "variables": {"n": student.registry_number}}
    with override_settings(ROOT_URLCONF=bench_urls()):
        response = client.post("/graphql/", one, content_type="application/json")
        assert json.loads(response.content)["data"]["student"]["name"] == student.name, response.content[:300]
        gql = median_ms(lambda: client.post("/graphql/", one, content_type="application/json"), runs)
        n = queries_of(lambda: client.post("/graphql/", one, content_type="application/json"))
        plain_client = Client()
        plain = median_ms(lambda: plain_client.get("/bench/plain-student/", {"n": student.registry_number}), runs)
    out.append({"figure": "GraphQL: one student by registry number (HTTP, token)", "ms": gql, "queries": n})
    out.append({"figure": "plain: Django view, same student as JSON (HTTP)", "ms": plain})

    page = """query($first: Int, $after: String) { students(first: $first, after: $after) { totalCount
      pageInfo { endCursor hasNextPage } edges { node { registryNumber name gender birthDate
      currentRegistration { status school { name } schoolClass { className } } } } } }"""
    tokens = {}
    for who in (f"county-{county}", "province"):
        with transaction.atomic():
            _, secret = api_token_create(acting_user=None, user=User.objects.get(username=who), name="bench", days=1)
        tokens[who] = secret
        c = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        body = {"query": page, "variables": {"first": 50}}
        response = c.post("/graphql/", body, content_type="application/json")
        assert "edges" in response.content.decode(), response.content[:300]
        scope = "county" if who != "province" else "province"
        out.append({"figure": f"GraphQL: page of 50 students with totalCount ({scope})",
                    "ms": median_ms(lambda: c.post("/graphql/", body, content_type="application/json"), runs),
                    "queries": queries_of(lambda: c.post("/graphql/", body, content_type="application/json"))})
        # The same fields as the plain ORM→JSON below (which counts nothing).
        uncounted = uncounted_of(page)
        out.append({"figure": f"GraphQL: page of 50 students, no totalCount ({scope})",
                    "ms": median_ms(lambda: c.post("/graphql/", uncounted, content_type="application/json"), runs),
                    "queries": queries_of(lambda: c.post("/graphql/", uncounted, content_type="application/json"))})
        body10 = {"query": page, "variables": {"first": 10}}
        body100 = {"query": page, "variables": {"first": 100}}
        out.append({"figure": f"GraphQL: queries for 10 / 100 students ({scope})",
                    "queries": f"{queries_of(lambda: c.post('/graphql/', body10, content_type='application/json'))}"
                               f" / {queries_of(lambda: c.post('/graphql/', body100, content_type='application/json'))}"})
    rows = (m.Student.objects.filter(scope_code=county).order_by("registry_number")
            .select_related("current_registration__school", "current_registration__school_class"))

    def plain_page():
        return json.dumps([{"registryNumber": s.registry_number, "name": s.name, "gender": s.gender,
                            "birthDate": s.birth_date.isoformat(), "status": s.current_registration.status,
                            "school": s.current_registration.school.name,
                            "class": getattr(s.current_registration.school_class, "class_name", None)}
                           for s in rows[:50]], ensure_ascii=False)

    out.append({"figure": "plain: ORM→JSON of the same 50 students (county)", "ms": median_ms(plain_page, runs)})
    with override_settings(ROOT_URLCONF=bench_urls()):
        plain_client = Client()
        out.append({"figure": "plain: Django view, the same 50 students as JSON (HTTP)",
                    "ms": median_ms(lambda: plain_client.get("/bench/plain-page/", {"county": county}), runs)})
        # The ratios, each pair measured in turns (paired_ms): one student, and a page of 50
        # without totalCount (the plain counts nothing) for the county and for the province.
        pairs = [("one student", f"county-{county}", one, "/bench/plain-student/", {"n": student.registry_number}),
                 ("page of 50, county", f"county-{county}", uncounted_of(page), "/bench/plain-page/", {"county": county}),
                 ("page of 50, province", "province", uncounted_of(page), "/bench/plain-page/", {})]
        for label, who, body, plain_path, plain_args in pairs:
            api = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[who]}")
            gql, plain = paired_ms([lambda: api.post("/graphql/", body, content_type="application/json"),
                                    lambda: plain_client.get(plain_path, plain_args)], runs * 2)
            out.append({"figure": f"in turns: {label}, GraphQL vs plain HTTP view", "ms": gql,
                        "note": f"plain {plain:.1f} ms; {gql / plain:.2f}×, {gql - plain:+.1f} ms"})


def uncounted_of(page):
    return {"query": page.replace("totalCount", "", 1), "variables": {"first": 50}}


def figure_writes(out, county):
    from cases.services.auxiliary_numbers import auxiliary_numbers_issue
    from cases.services.registrations import classes_promote
    from cases.numbers.id_number import mod11_2_check_digit
    from cases.services.students import NewStudent, students_register

    school = (m.School.objects.filter(scope_code=county, category="0").order_by("id").first())
    registrar = User.objects.get(username="admin")
    year = datetime.date.today().year
    people = []
    base = datetime.date(year - 7, 9, 2)  # six on the first of September: primary school age
    for i in range(10_000):
        birth = base + datetime.timedelta(days=i % 360)
        seq = 700 + i // 360 * 2 + 1  # odd: boys; sequences above what the seed used
        first17 = f"{county}{birth:%Y%m%d}{seq % 1000:03d}"
        people.append(NewStudent(data={"name": f"测试{chr(0x4e00 + i % 5000)}{chr(0x4e00 + i // 5000)}", "gender": "M",
                                       "birth_date": birth, "id_number": first17 + mod11_2_check_digit(first17)}))
    # Auxiliary numbers are timed below: 10,000 new pupils of one school's cohort would exceed
    # the four-digit sequence of the number (第十条), as no real school does.
    ms = rolled_back(lambda: students_register(acting_user=registrar, school=school, stage="primary",
                                               started_on=datetime.date(year, 9, 1), people=people,
                                               issue_auxiliary_numbers=False))
    n = {}

    def counted():
        with CaptureQueriesContext(connection) as captured:
            students_register(acting_user=registrar, school=school, stage="primary",
                              started_on=datetime.date(year, 9, 1), people=people, issue_auxiliary_numbers=False)
        n["q"] = len(captured)

    rolled_back(counted)
    out.append({"figure": "intake of 10,000 through students_register", "ms": ms, "queries": n["q"]})

    def plain_intake():
        students = m.Student.objects.bulk_create(
            [m.Student(registry_number="G" + p.data["id_number"], id_number=p.data["id_number"], name=p.data["name"],
                       name_pinyin="x", gender="M", birth_date=p.data["birth_date"]) for p in people], batch_size=2000)
        m.Registration.objects.bulk_create([m.Registration(student=s, school=school, stage="primary",
                                                           started_on=datetime.date(year, 9, 1)) for s in students],
                                           batch_size=2000)

    out.append({"figure": "plain: bulk insert of the same 10,000 students and registrations", "ms": rolled_back(plain_intake)})

    registrations = list(m.Registration.objects.filter(school__scope_code=county, status="active")
                         .order_by("id")[:10_000])
    ids = [r.pk for r in registrations]

    def aux():
        m.AuxiliaryNumber.objects.filter(registration_id__in=ids, cancelled_at__isnull=True).update(
            cancelled_at=datetime.datetime.now(datetime.timezone.utc), cancelled_reason="基准")
        start = time.perf_counter()
        auxiliary_numbers_issue(acting_user=registrar, registrations=registrations)
        n["aux"] = (time.perf_counter() - start) * 1000

    rolled_back(aux)
    out.append({"figure": "10,000 auxiliary numbers through auxiliary_numbers_issue", "ms": n["aux"]})

    def plain_aux():
        m.AuxiliaryNumber.objects.bulk_create([m.AuxiliaryNumber(number=f"BENCH{i:08d}", kind="compulsory",
                                                                 registration_id=r.pk, school_id=r.school_id)
                                               for i, r in enumerate(registrations)], batch_size=2000)

    def plain_aux_timed():
        m.AuxiliaryNumber.objects.filter(registration_id__in=ids, cancelled_at__isnull=True).update(
            cancelled_at=datetime.datetime.now(datetime.timezone.utc), cancelled_reason="基准")
        start = time.perf_counter()
        plain_aux()
        n["plain_aux"] = (time.perf_counter() - start) * 1000

    rolled_back(plain_aux_timed)
    out.append({"figure": "plain: bulk insert of 10,000 auxiliary numbers", "ms": n["plain_aux"]})

    # The usual case: the new pupils of an intake (20 schools of the county, 500 each) get their
    # numbers; nothing is cancelled first. Setting up the intake is not timed.
    schools = list(m.School.objects.filter(scope_code=county, category="0").order_by("id")[:20])

    def intake_without_numbers():
        made = []
        for k, each in enumerate(schools):
            made += students_register(acting_user=registrar, school=each, stage="primary",
                                      started_on=datetime.date(year, 9, 1), people=people[k * 500:(k + 1) * 500],
                                      issue_auxiliary_numbers=False)
        return made

    def fresh_aux():
        made = intake_without_numbers()
        start = time.perf_counter()
        auxiliary_numbers_issue(acting_user=registrar, registrations=made)
        n["fresh_aux"] = (time.perf_counter() - start) * 1000

    def plain_fresh_aux():
        made = intake_without_numbers()
        start = time.perf_counter()
        m.AuxiliaryNumber.objects.bulk_create([m.AuxiliaryNumber(number=f"BENCH{i:08d}", kind="compulsory",
                                                                 registration_id=r.pk, school_id=r.school_id)
                                               for i, r in enumerate(made)], batch_size=2000)
        n["plain_fresh_aux"] = (time.perf_counter() - start) * 1000

    rolled_back(fresh_aux)
    rolled_back(plain_fresh_aux)
    out.append({"figure": "10,000 auxiliary numbers for the new pupils of an intake (20 schools)",
                "ms": n["fresh_aux"]})
    out.append({"figure": "plain: bulk insert of their 10,000 auxiliary numbers", "ms": n["plain_fresh_aux"]})

    classes = m.SchoolClass.objects.count()
    school_year = max(m.SchoolClass.objects.values_list("promoted_through", flat=True).distinct()) + 1

    def promote():
        n["promoted"] = classes_promote(acting_user=registrar, school_year=school_year)

    out.append({"figure": f"yearly promotion of the province ({classes:,} classes)", "ms": rolled_back(promote),
                "note": f"promoted / finished: {n['promoted']}"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="")
    parser.add_argument("--tag", default="", help="suffix of the result files' date (e.g. s3 → 20261202-s3)")
    args = parser.parse_args()
    students = m.Student.objects.count()
    if students < 10_000:
        sys.exit("Run manage.py seed_province first.")
    county, county_students = pick_county()
    out = []
    figures = {"search": figure_admin_search, "listing": figure_admin_listing, "dashboard": figure_dashboard,
               "doors": figure_doors, "graphql": figure_graphql}
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        for name, fn in figures.items():
            if not args.only or args.only == name:
                print(f"… {name}", flush=True)
                fn(out, args.runs, county)
                note_load(out)
                write(out, args, students, county, county_students)  # kept if a later figure fails
        if not args.only or args.only == "writes":
            print("… writes", flush=True)
            figure_writes(out, county)
            note_load(out)
            write(out, args, students, county, county_students)
    write(out, args, students, county, county_students)


def note_load(out):
    """The 1-minute load average when a group of figures was measured (the machine is shared)."""
    load = os.getloadavg()[0]
    for row in out:
        row.setdefault("load", round(load, 1))


def write(out, args, students, county, county_students):
    """Results so far to bench/results/ (called after each group of figures)."""
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "nproc": os.cpu_count(), "load": os.getloadavg(), "students": students, "county": county,
            "county_students": county_students, "database": connection.vendor,
            "postgres": connection.cursor().connection.info.server_version if connection.vendor == "postgresql" else None,
            "runs": args.runs}
    lines = [f"# Province benchmark — {students:,} students, {meta['date']}", "",
             f"nproc {meta['nproc']}, load average {meta['load'][0]:.1f} (shared machine), county {county} "
             f"({county_students:,} students), median of {args.runs} warm runs; writes once, rolled back.", "",
             "| figure | ms | SQL queries | load | note |", "|---|---:|---:|---:|---|"]
    for row in out:
        ms = f"{row['ms']:.1f}" if "ms" in row else ""
        lines.append(f"| {row['figure']} | {ms} | {row.get('queries', '')} | {row.get('load', '')} "
                     f"| {row.get('note', row.get('q', ''))} |")
    RESULTS.mkdir(exist_ok=True)
    stem = (f"province-{students // 1000}k-{datetime.datetime.now(datetime.timezone.utc):%Y%m%d}" + (f"-{args.tag}" if args.tag else "")
            + (f"-{args.only}" if args.only else ""))
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(json.dumps({"meta": meta, "figures": out}, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
