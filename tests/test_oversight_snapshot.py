"""The oversight reports above a county read their registration-based checks from the daily
statistics snapshot (cases.models.OversightCell): after a refresh a city's and the province's
counts are the live ones, their pages aggregate no registrations (a constant number of queries
whatever the number of schools) and say from when the numbers are; a county and a school stay
live; without a snapshot (or with one taken before the oversight cells) everything is live."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import models as m
from cases import oversight
from cases import statistics as stats
from cases.services.registrations import (
    registration_change_status,
    registration_open,
    registration_set_suspension_end,
)
from cases.services.statistics import statistics_refresh
from tests.case_types.helpers import World
from tests.factories import SchoolClassFactory, SchoolFactory, register_student
from tests.graphql.kit import Api

REPORTS = list(oversight.REPORTS)
OVERSIGHT = """query($report: OversightReportKind!) { oversight(report: $report) {
  snapshotNote total { counts { check count } } } }"""


def populate(school, n=0, origin=None):
    """Pupils of ``school`` failing several checks: without a class, without an ID number, a
    suspension past its end (and, as every pupil built here, without a guardian); with an
    ``origin``, one who left it and was taken in here without a transfer, no archive kept."""
    klass, tag = SchoolClassFactory(school=school, stage="junior", cohort=2024), school.pk
    register_student(school_class=klass, stage="junior", name=f"在班{tag}")
    for k in range(1 + n % 2):
        register_student(school=school, stage="junior", name=f"未分班{tag}-{k}")
    register_student(school_class=klass, stage="junior", name=f"无证{tag}", with_id=False)
    suspended = register_student(school_class=klass, stage="junior", name=f"休学{tag}")
    registration_change_status(acting_user=None, registration=suspended, status="suspended",
                               occurred_on=datetime.date(2025, 10, 1), reason="病休")
    registration_set_suspension_end(acting_user=None, registration=suspended, until=datetime.date(2026, 1, 1),
                                    reason="病休一学期")
    if origin is not None:
        moved = register_student(school=origin, stage="junior", name=f"转入{tag}")
        registration_change_status(acting_user=None, registration=moved, status="withdrawn",
                                   occurred_on=datetime.date(2026, 2, 1), reason="退学")
        registration_open(acting_user=None, student=moved.student, school=school, stage="junior",
                          started_on=datetime.date(2026, 3, 1), reason="插班")


@pytest.fixture
def land(db):
    """兰州: two schools in 城关区, one in 七里河区, one under the city bureau; 天水秦州区: one
    school (outside the city, inside the province). Users of each unit."""
    world = World()
    county, other_county = m.Jurisdiction.objects.get(code="620102"), m.Jurisdiction.objects.get(code="620103")
    elsewhere = m.Jurisdiction.objects.get(code="620502")
    schools = {
        "a": SchoolFactory(category="1", county=county, name="城关区甲中学"),
        "b": SchoolFactory(category="1", county=county, name="城关区乙中学"),
        "c": SchoolFactory(category="1", county=other_county, name="七里河区丙中学"),
        "city": SchoolFactory(category="1", county=county, supervision="city", name="兰州市直属中学"),
        "far": SchoolFactory(category="1", county=elsewhere, name="秦州区丁中学"),
    }
    for n, school in enumerate(schools.values()):
        populate(school, n, origin=schools["a"] if n else schools["c"])
    return {
        "world": world, "schools": schools, "county": county,
        "province": world.authority_user(m.Jurisdiction.objects.get(code="62")),
        "city": world.authority_user(county.parent),
        "other_city": world.authority_user(elsewhere.parent),
        "county_user": world.authority_user(county),
        "registrar": world.school_user(schools["a"]),
    }


def fresh(user):
    """The same account as a new object (nothing cached on it), as each request sees it."""
    return get_user_model().objects.get(pk=user.pk)


def counted(user, **where):
    user = fresh(user)
    unit = stats.unit_for(user, **where)
    return {report: oversight.counts(user, unit, report) for report in REPORTS}


def totals(found, report="recheck"):
    return found[report][1]


VIEWS = [("province", {}), ("province", {"code": "6201"}), ("city", {}), ("city", {"code": "620102"}),
         ("county_user", {}), ("registrar", {})]


def test_after_a_refresh_a_city_and_the_province_count_what_live_counting_counts(land):
    live = {(who, str(where)): counted(land[who], **where) for who, where in VIEWS}
    # The world fails several registration-based checks in several schools, in each report.
    province = totals(live[("province", "{}")])
    assert all(province[check] > 0 for check in ("missing_id", "no_class", "incomplete", "suspension_overdue"))
    board = totals(live[("province", "{}")], "board")
    assert board["archive_missing"] > 0 and board["taken_without_transfer"] > 0
    assert {row["key"] for row in live[("province", "{}")]["recheck"][0]} == {"6201", "6205"}
    assert {row["key"] for row in live[("city", "{}")]["recheck"][0]} == {"6201", "620102", "620103"}

    taken = statistics_refresh()
    assert taken.oversight_cells == m.OversightCell.objects.count() > 0
    assert set(m.OversightCell.objects.values_list("check_key", flat=True)) <= set(oversight.REGISTRATION_CHECKS)
    for who, where in VIEWS:
        assert counted(land[who], **where) == live[(who, str(where))], (who, where)
        unit = stats.unit_for(fresh(land[who]), **where)
        assert (oversight.snapshot_for(unit) is not None) == (len(unit.code or "xxxxxx") < 6)

    # Never wider than the scope: another city's user handed the province's unit counts only its
    # own schools, from the cells as live.
    other = fresh(land["other_city"])
    snapshot_rows, _ = oversight.counts(other, stats.Unit("62"), "recheck")
    assert {row["key"] for row in snapshot_rows} == {"6205"}
    m.StatisticsSnapshot.objects.update(oversight_cells=None)  # as if taken before the cells: live
    assert oversight.counts(fresh(land["other_city"]), stats.Unit("62"), "recheck")[0] == snapshot_rows


def test_the_provinces_page_aggregates_no_registrations_and_costs_the_same_queries(land):
    client = Client()
    client.force_login(land["province"])

    def page(report):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("xueji_oversight") + f"?report={report}")
        assert response.status_code == 200
        return response, [q["sql"] for q in queries.captured_queries]

    def aggregates_registrations(sql):
        upper = sql.upper()
        return 'FROM "CASES_REGISTRATION"' in upper and ("GROUP BY" in upper or "COUNT(" in upper)

    statistics_refresh()
    before = {}
    for report in REPORTS:
        response, sqls = page(report)
        assert not [sql for sql in sqls if aggregates_registrations(sql)]
        assert response.context["snapshot_note"].startswith("学籍类检查为 ")
        before[report] = len(sqls)
    for n in range(4):  # more schools, in both counties and under the city
        school = SchoolFactory(category="1", county=land["county"] if n % 2 else land["schools"]["c"].county,
                               supervision="city" if n == 3 else "county")
        populate(school, n, origin=land["schools"]["b"])
    statistics_refresh()
    for report in REPORTS:
        response, sqls = page(report)
        assert len(sqls) == before[report] and not [sql for sql in sqls if aggregates_registrations(sql)]
    # The city's page alike.
    client.force_login(land["city"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("xueji_oversight")).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if aggregates_registrations(q["sql"])]


def test_a_change_after_the_snapshot_is_live_below_a_city_and_waits_for_the_next_refresh_above(land):
    statistics_refresh()
    city, province = counted(land["city"]), counted(land["province"])
    county, school = counted(land["county_user"]), counted(land["registrar"])
    register_student(school=land["schools"]["a"], stage="junior", name="新生未分班")  # through the services

    assert totals(counted(land["county_user"]))["no_class"] == totals(county)["no_class"] + 1
    assert totals(counted(land["registrar"]))["no_class"] == totals(school)["no_class"] + 1
    assert counted(land["city"]) == city and counted(land["province"]) == province  # the snapshot's values
    # Drill-down to the records stays live at every level.
    found = oversight.records(fresh(land["city"]), stats.unit_for(fresh(land["city"])), "recheck", "no_class")
    assert "新生未分班" in [record["values"][2] for record in found]

    statistics_refresh()
    assert totals(counted(land["city"]))["no_class"] == totals(city)["no_class"] + 1
    assert totals(counted(land["province"]))["no_class"] == totals(province)["no_class"] + 1


def test_without_a_snapshot_everything_is_live_and_says_nothing(land):
    live = counted(land["city"])
    register_student(school=land["schools"]["c"], stage="junior", name="又一未分班")
    assert totals(counted(land["city"]))["no_class"] == totals(live)["no_class"] + 1
    client = Client()
    client.force_login(land["province"])
    response = client.get(reverse("xueji_oversight"))
    assert response.context["snapshot_note"] is None and 'data-testid="snapshot-note"' not in response.content.decode()
    # A snapshot taken before the oversight cells existed counts nothing of them: still live.
    m.StatisticsSnapshot.objects.create(taken_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), seconds=1,
                                        cells=0)
    assert counted(land["city"]) != live and oversight.snapshot_for(stats.Unit("6201")) is None


def test_the_page_the_export_and_the_api_say_from_when_the_numbers_are(land):
    taken = statistics_refresh(now=datetime.datetime(2026, 3, 5, 1, 7, tzinfo=datetime.UTC))
    local = timezone.localtime(taken.taken_at)
    note = f"学籍类检查为 {local.year}年{local.month}月{local.day}日 {local:%H:%M} 统计快照数据,逾期案卷为实时数据"
    client = Client()
    client.force_login(land["city"])
    body = client.get(reverse("xueji_oversight") + "?report=board").content.decode()
    assert f'<p data-testid="snapshot-note">{note}。</p>' in body
    response = client.get(reverse("xueji_oversight") + "?report=recheck&export=xlsx")
    sheet = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()]
    assert sheet[-2][0] == "合计" and sheet[-1][0] == note
    found = Api(land["city"]).data(OVERSIGHT, {"report": "RECHECK"})["oversight"]
    assert found["snapshotNote"] == note
    # A county's page is live and says nothing of a snapshot, nor does its export or the API.
    client.force_login(land["county_user"])
    assert "统计快照" not in client.get(reverse("xueji_oversight")).content.decode()
    response = client.get(reverse("xueji_oversight") + "?report=recheck&export=xlsx")
    sheet = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()]
    assert sheet[-1][0] == "合计"
    assert Api(land["county_user"]).data(OVERSIGHT, {"report": "BOARD"})["oversight"]["snapshotNote"] is None

