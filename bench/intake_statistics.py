"""Timings of the Excel intake's validation and of the statistics page, on a large province
(run after ``manage.py seed_province`` on PostgreSQL, or ``seed_demo`` for a quick look):

    DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=cms.settings.dev \\
        .venv/bin/python bench/intake_statistics.py [--rows 10000]

1. A 10,000-row intake workbook is built (openpyxl) for a primary school of the province: 1% of
   the rows carry the ID number of a student already registered, 1% a homophone of one (same
   pinyin, gender and birth date, no ID number), 1% an invalid ID number. Reading the workbook
   and checking every row (format, check digit, birth date and gender, age, duplicates inside
   the file and against the whole province) is timed; nothing is written. Target: ≤ 3 s.
2. The province's statistics page (GET /admin/statistics/ as a province user) and the county's,
   median of a few runs, with the number of SQL queries. Target: ≤ 1 s.
Nothing here is a test.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from cases import models as m  # noqa: E402
from cases.intake.checks import check_rows  # noqa: E402
from cases.intake.workbook import COLUMNS, DATA_SHEET, build_template, read_rows  # noqa: E402
from cases.numbers.id_number import make_id_number  # noqa: E402

LABEL = {c.key: c.label for c in COLUMNS}


def intake_workbook(rows, school):
    existing = list(m.Student.objects.filter(id_number__isnull=False).order_by("?")
                    .values_list("id_number", "name", "gender", "birth_date")[: rows // 100 + 1])
    admitted = datetime.date(m.school_year_of(datetime.date.today()), 9, 1)
    # homophones of pupils of the right age (6 to 8 on the first day), so that their rows wait
    # for the registrar's decision instead of being refused for their age
    twins = list(m.Student.objects.filter(id_number__isnull=True,
                                          birth_date__gt=admitted.replace(year=admitted.year - 9),
                                          birth_date__lte=admitted.replace(year=admitted.year - 6))
                 .values_list("name", "gender", "birth_date")[: rows // 100 + 1])
    workbook = load_workbook(io.BytesIO(build_template(stage="primary")))
    sheet = workbook[DATA_SHEET]
    header = [str(c.value).rstrip("*") for c in sheet[1]]
    column = {key: header.index(label) + 1 for key, label in LABEL.items()}
    for i in range(rows):
        gender = "M" if i % 2 else "F"
        born = admitted.replace(year=admitted.year - 7) + datetime.timedelta(days=i % 300)
        # odd for boys, even for girls; from 601 up, above what seed_province draws (a county's
        # births of one day and gender number a few dozen), so the new pupils are new
        sequence = 600 + 2 * ((i // 300) % 199) + (1 if gender == "M" else 2)
        number = make_id_number(school.county.code, born, sequence)
        values = {"name": f"新生{i}", "gender": "男" if gender == "M" else "女", "birth_date": born.isoformat(),
                  "id_number": number, "ethnicity": "汉族", "household_type": "农业户口"}
        if i % 100 == 1 and existing:
            id_number, name, g, birth = existing[(i // 100) % len(existing)]
            values.update(id_number=id_number, name=name, gender="男" if g == "M" else "女", birth_date=birth.isoformat())
        elif i % 100 == 2 and twins:
            name, g, birth = twins[(i // 100) % len(twins)]
            values.update(id_number="", name=name, gender="男" if g == "M" else "女", birth_date=birth.isoformat(),
                          household_type="无户籍")
        elif i % 100 == 3:
            values["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
        for key, value in values.items():
            sheet.cell(row=i + 2, column=column[key], value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def verified_client(user):
    """A session past the two-factor step (authority staff must use it), as after a code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="基准测试", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tag", default="", help="suffix of the result file's date (e.g. s3 → 20261202-s3)")
    args = parser.parse_args()
    students = m.Student.objects.count()
    school = m.School.objects.filter(stages__contains=",primary,").select_related("county").first()
    if school is None:
        sys.exit("No primary school: seed the province first.")
    lines = []

    def say(text):
        print(text, flush=True)
        lines.append(text)

    say(f"database: {connection.vendor}, students: {students:,}, nproc {os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f} at the start")
    content = intake_workbook(args.rows, school)
    case = m.Case(case_type="registration", school=school, stage="primary",
                  effective_on=datetime.date(m.school_year_of(datetime.date.today()), 9, 1))
    checks = []
    for _ in range(args.runs):
        rows, read_s = timed(lambda: read_rows(content))
        with CaptureQueriesContext(connection) as queries:
            results, check_s = timed(lambda: check_rows(rows, case=case))
        checks.append((read_s + check_s, read_s, check_s))
    total, read_s, check_s = sorted(checks)[len(checks) // 2]
    refused = sum(r["status"] == "refused" for r in results)
    pending = sum(r["status"] == "pending" for r in results)
    say(f"- intake of {len(rows):,} rows (median of {args.runs}): read {read_s:.2f} s + check {check_s:.2f} s = "
        f"{total:.2f} s ({len(queries)} queries; {refused} refused, {pending} to decide; load "
        f"{os.getloadavg()[0]:.1f})  target ≤ 3 s")

    with override_settings(ALLOWED_HOSTS=["*"]):
        for username in ("province", "county-620102"):
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                continue
            client = verified_client(user)
            response = client.get("/admin/statistics/")  # warm the caches once
            assert response.status_code == 200, (username, response.status_code, response.get("Location"))
            times = []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    _, seconds = timed(lambda: client.get("/admin/statistics/"))
                times.append(seconds)
            say(f"- statistics page as {username}: median {statistics.median(times):.3f} s "
                f"({len(queries)} queries; load {os.getloadavg()[0]:.1f})  target ≤ 1 s")
    stem = f"intake-statistics-{students // 1000}k-{datetime.date.today():%Y%m%d}" + (f"-{args.tag}" if args.tag else "")
    results_dir = Path(__file__).resolve().parent / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / f"{stem}.md").write_text(
        f"# Intake check and statistics page — {students:,} students, "
        f"{datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
