"""Statistics and oversight reports on the demo province: every figure equals an independent
count (Python over the rows), a county sees only its own, pages cost a constant number of
queries, and the Excel export holds the table."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases import models as m
from cases import oversight
from cases import statistics as stats

SEED, STUDENTS = 11, 600
pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", "--seed", str(SEED), "--students", str(STUDENTS), stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


def user(name):
    return get_user_model().objects.get(username=name)


def independent(prefix):
    """Python counts over the open registrations of schools under ``prefix``."""
    rows = [r for r in m.Registration.objects.open().select_related("school", "student")
            if r.school.scope_code.startswith(prefix)]
    return rows


def test_province_figures_equal_independent_counts(seeded):
    province = user("province")
    unit = stats.unit_for(province)
    rows, total = stats.by_unit(province, unit)
    everyone = independent("62")
    assert total["total"] == len(everyone) > 0
    by_child = Counter(r.school.scope_code[:4] for r in everyone)
    assert {row["key"]: row["total"] for row in rows} == dict(by_child)
    for row in rows:
        mine = [r for r in everyone if r.school.scope_code[:4] == row["key"]]
        assert row["primary"] == sum(r.stage == "primary" for r in mine)
        assert row["female"] == sum(r.student.gender == "F" for r in mine)
        assert row["migrant"] == sum(r.student.is_migrant for r in mine)
        assert row["left_behind"] == sum(r.student.is_left_behind for r in mine)
        assert row["disabled"] == sum(bool(r.student.disability) for r in mine)
        assert row["dropped_out"] == sum(r.status == "dropped_out" for r in mine)
    assert dict(stats.by_status(province, unit)) == {
        dict(m.RegistrationStatus.choices)[k]: v for k, v in Counter(r.status for r in everyone).items()}
    assert sum(n for _, _, n in stats.by_grade(province, unit)) == len(everyone)
    approved = m.Case.objects.filter(state="approved").count()
    months, changes = stats.changes_by_month(province, unit)
    assert sum(sum(by_month.values()) for _, by_month in changes) == approved


def test_a_county_sees_only_its_own_and_drills_down_to_schools(seeded, client):
    county = user("county-620102")
    unit = stats.unit_for(county)
    rows, total = stats.by_unit(county, unit)
    mine = independent("620102")
    assert total["total"] == len(mine)
    assert {row["key"] for row in rows} == {r.school_id for r in mine}
    assert stats.unit_for(county, code="6201") is None and stats.unit_for(county, code="62") is None
    client.force_login(county)
    assert client.get(reverse("xueji_statistics") + "?code=6201").status_code == 404
    assert client.get(reverse("xueji_statistics") + "?code=620103").status_code == 404
    other_school = m.School.objects.exclude(scope_code__startswith="620102").first()
    assert client.get(reverse("xueji_statistics") + f"?school={other_school.pk}").status_code == 404
    page = client.get(reverse("xueji_statistics"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "cases/vendor/chartjs/chart.umd.min.js" in body and "cdn" not in body.lower()


def test_statistics_page_costs_constant_queries_and_exports(seeded, client):
    client.force_login(user("province"))
    counts = []
    for url in (reverse("xueji_statistics"), reverse("xueji_statistics") + "?code=6201",
                reverse("xueji_statistics") + "?code=620102"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert max(counts) - min(counts) <= 1 and max(counts) < 30
    response = client.get(reverse("xueji_statistics") + "?code=6201&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["单位", "在籍总数"] and values[-1][0] == "合计"
    assert values[-1][1] == len(independent("6201"))
    assert m.ExportLog.objects.filter(kind="statistics", user=user("province")).exists()


def test_the_daily_cube_gives_the_same_figures_in_the_same_scope(seeded, client):
    from cases.services.statistics import statistics_refresh

    def figures(name, **where):
        someone = user(name)  # a fresh user object: the cells are cached per request
        unit = stats.unit_for(someone, **where)
        return stats.by_unit(someone, unit), stats.by_grade(someone, unit), stats.by_status(someone, unit)

    views = [("province", {}), ("province", {"code": "6201"}), ("county-620102", {})]
    live = [figures(name, **where) for name, where in views]
    queries_live = []
    client.force_login(user("province"))
    with CaptureQueriesContext(connection) as queries:
        assert "实时统计" in client.get(reverse("xueji_statistics")).content.decode()
    queries_live = len(queries)
    taken = statistics_refresh()
    assert taken.cells > 0 and m.StatisticsCell.objects.count() == taken.cells
    assert [figures(name, **where) for name, where in views] == live
    county_rows, _ = figures("county-620102")[0]
    assert {row["key"] for row in county_rows} == {r.school_id for r in independent("620102")}  # only its own
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("xueji_statistics")).content.decode()
    assert "统计时点" in body and len(queries) <= queries_live + 1  # the snapshot's time


def test_recheck_counts_drill_down_to_the_records(seeded, client):
    province = user("province")
    unit = stats.unit_for(province)
    everyone = independent("62")
    rows, total = oversight.counts(province, unit, "recheck")
    assert total["no_class"] == sum(r.school_class_id is None for r in everyone)
    live = set(m.AuxiliaryNumber.objects.filter(cancelled_at__isnull=True).values_list("registration_id", flat=True))
    assert total["no_auxiliary"] == sum(r.pk not in live for r in everyone)
    with_guardians = set(m.Guardian.objects.values_list("student_id", flat=True))
    assert total["incomplete"] == sum(not r.student.native_place or not r.student.household_address
                                      or r.student_id not in with_guardians for r in everyone)
    # Plant a legacy record whose ID number disagrees with the birth date, and a past suspension.
    planted = everyone[0]
    m.Student.objects.filter(pk=planted.student_id).update(birth_date=planted.student.birth_date.replace(day=1)
                                                          if planted.student.birth_date.day != 1 else
                                                          planted.student.birth_date.replace(day=2))
    rows, after = oversight.counts(province, unit, "recheck")
    assert after["suspicious_id"] == total["suspicious_id"] + 1
    records = oversight.records(province, unit, "recheck", "suspicious_id")
    assert planted.student.registry_number in [r["values"][1] for r in records]
    client.force_login(province)
    page = client.get(reverse("xueji_oversight") + f"?report=recheck&code=62&check=suspicious_id")
    assert page.status_code == 200 and planted.student.name in page.content.decode()
    county = user("county-620102")
    client.force_login(county)
    assert client.get(reverse("xueji_oversight") + "?report=board&code=62").status_code == 404
    assert client.get(reverse("xueji_oversight") + "?report=board").status_code == 200
