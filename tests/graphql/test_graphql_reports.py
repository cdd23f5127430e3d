"""Statistics, oversight reports (第三十七、四十条) and rosters through the API: the same numbers
and records as the admin's pages, in the same scope (a unit out of scope is null, its download a
404), downloads logged (ExportLog and the read log, 第三十八条), constant query counts."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from graphql_relay import to_global_id
from openpyxl import load_workbook

from cases import models as m
from cases import statistics as stats
from cases.services.registrations import registration_change_status, registration_set_suspension_end
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user
from tests.graphql.kit import Api, error_codes, queries_for

ROW = "label code schoolId total stages { stage count } male female migrant leftBehind disabled suspended droppedOut"
STATISTICS = f"""query($code: String, $school: ID) {{ statistics(code: $code, schoolId: $school) {{
  title code schoolId rows {{ {ROW} }} total {{ {ROW} }} grades {{ stageLabel gradeLabel count }}
  statuses {{ status label count }} changes {{ months types {{ name counts }} }} overdueSteps {{ step count }}
  exportUrl }} }}"""
OVERSIGHT = """query($report: OversightReportKind!, $code: String, $school: ID) {
  oversight(report: $report, code: $code, schoolId: $school) { title unitTitle checks { check label }
    rows { label code schoolId counts { check count } } total { label counts { check count } } exportUrl } }"""
RECORDS = """query($report: OversightReportKind!, $check: OversightCheck!, $code: String, $school: ID, $first: Int) {
  oversightRecords(report: $report, check: $check, code: $code, schoolId: $school, first: $first) {
    label hasMore exportUrl records { school reference name note date studentId caseId } } }"""
ROSTER = """query($school: ID, $class: ID, $unit: String, $stage: Stage, $grade: Int, $format: ExportFormat) {
  roster(schoolId: $school, classId: $class, unitCode: $unit, stage: $stage, grade: $grade, format: $format) {
    title format url } }"""


@pytest.fixture
def region(world, places):
    """Open registrations in two counties of 兰州 and one of 天水, with flags, a pupil without a
    class and a suspension past its end."""
    school, neighbour = places["school"], places["same_county_school"]
    first = SchoolClassFactory(school=school, stage="junior", cohort=2024, class_name="八(1)班")
    pupils = [register_student(school_class=first, stage="junior", name=f"甲{n}", gender="F" if n % 2 else "M",
                               is_migrant=n == 1) for n in range(3)]
    register_student(school=school, stage="junior", name="未分班")
    suspended = register_student(school_class=first, stage="junior", name="休学生")
    registration_change_status(acting_user=None, registration=suspended, status="suspended",
                               occurred_on=datetime.date(2025, 10, 1), reason="病休")
    registration_set_suspension_end(acting_user=None, registration=suspended, until=datetime.date(2026, 1, 1),
                                    reason="病休一学期")
    for n in range(2):
        register_student(school_class=SchoolClassFactory(school=neighbour, stage="junior", cohort=2025),
                         stage="junior", name=f"乙{n}", is_left_behind=True)
    for n in range(2):
        register_student(school=places["other_county_school"], stage="junior", name=f"丙{n}")
    register_student(school=places["other_city_school"], stage="junior", name="丁")
    return {
        "class": first, "pupils": pupils, "suspended": suspended,
        "province": world.authority_user(m.Jurisdiction.objects.get(code="62")),
        "city": world.authority_user(places["county"].parent),
        "county": world.authority_user(places["county"]),
        "registrar": world.school_user(school),
        "other_city": world.authority_user(places["other_city"]),
    }


def admin_page(user, name, query=""):
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.context


def api_values(row):
    return [row["total"], *[s["count"] for s in row["stages"]], row["male"], row["female"], row["migrant"],
            row["leftBehind"], row["disabled"], row["suspended"], row["droppedOut"]]


@pytest.mark.parametrize("who, code, school", [("province", None, None), ("city", None, None),
                                                ("county", None, None), ("province", "6201", None),
                                                ("county", None, "school"), ("registrar", None, None)])
def test_statistics_are_the_admins_numbers(region, places, who, code, school):
    user = region[who]
    school_id = places[school].pk if school else None
    query = f"?code={code}" if code else f"?school={school_id}" if school_id else ""
    page = admin_page(user, "xueji_statistics", query)
    api = Api(user).data(STATISTICS, {"code": code, "school": to_global_id("School", school_id) if school_id else None})
    found = api["statistics"]
    assert found["title"] == page["title"]
    assert [(r["label"], api_values(r)) for r in found["rows"]] == [(r["label"], r["values"]) for r in page["rows"]]
    assert api_values(found["total"]) == page["total"]["values"]
    assert [(g["stageLabel"], g["gradeLabel"], g["count"]) for g in found["grades"]] == list(page["grades"])
    assert [(s["label"], s["count"]) for s in found["statuses"]] == list(page["status"])
    assert found["changes"]["months"] == page["months"]
    assert [(t["name"], t["counts"]) for t in found["changes"]["types"]] == page["changes"]
    assert [(s["step"], s["count"]) for s in found["overdueSteps"]] == list(page["overdue"])
    # Drill-down: each row names its child unit as the admin's link does.
    for api_row, admin_row in zip(found["rows"], page["rows"]):
        kind, value = admin_row["drill"] or (None, None)
        assert api_row["code"] == (value if kind == "code" else None)
        assert api_row["schoolId"] == (to_global_id("School", value) if kind == "school" else None)


def test_statistics_scope_export_and_constant_queries(region, places):
    county, registrar = Api(region["county"], token=True), Api(region["registrar"])
    found = county.data(STATISTICS)["statistics"]
    independent = m.Registration.objects.open().filter(school__county=places["county"]).count()
    assert found["total"]["total"] == independent == 7
    assert {r["label"] for r in found["rows"]} == {places["school"].name, places["same_county_school"].name}
    # Out of scope: the city above, a county beside, a school of another county: null, as the admin's 404.
    for variables in ({"code": "6201"}, {"code": "620103"}, {"code": "62"},
                      {"school": to_global_id("School", places["other_county_school"].pk)}):
        assert county.data(STATISTICS, variables) == {"statistics": None}
    assert registrar.data(STATISTICS, {"code": "620102"}) == {"statistics": None}
    both = county(STATISTICS, {"code": "620102", "school": to_global_id("School", places["school"].pk)})[1]
    assert error_codes(both) == ["invalid_argument"]

    # The Excel download is the admin's export, logged; out of scope it is a 404.
    response = county.client.get(found["exportUrl"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    sheet = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()]
    assert response.status_code == 200 and sheet[0][:2] == ["单位", "在籍总数"] and sheet[-1][:2] == ["合计", 7]
    assert m.ExportLog.objects.filter(kind="statistics", user=region["county"]).count() == 1
    outsider = Api(region["other_city"], token=True)
    assert outsider.client.get(found["exportUrl"], HTTP_AUTHORIZATION=f"Bearer {outsider.token}").status_code == 404
    assert county.client.get(found["exportUrl"]).status_code == 404  # anonymous
    assert m.ExportLog.objects.count() == 1

    # A county of more schools and students costs the same queries (statistics, both oversight
    # reports, a page of records).
    reports = [(STATISTICS.replace("exportUrl", ""), {}), (OVERSIGHT, {"report": "RECHECK"}),
               (OVERSIGHT, {"report": "BOARD"}), (RECORDS, {"report": "RECHECK", "check": "NO_CLASS"})]
    before = [queries_for(county, query, variables)[0] for query, variables in reports]
    for n in range(3):
        more = SchoolFactory(category="1", county=places["county"])
        register_student(school_class=SchoolClassFactory(school=more, stage="junior", cohort=2023), stage="junior")
        register_student(school=more, stage="junior")
    after = [queries_for(county, query, variables)[0] for query, variables in reports]
    assert len(county.data(STATISTICS)["statistics"]["rows"]) == 5 and before == after


def admin_cells(row):
    return [n for n, _ in row["cells"]]


@pytest.mark.parametrize("report", ["recheck", "board"])
def test_oversight_counts_are_the_admins(region, report):
    for who in ("province", "county", "registrar"):
        page = admin_page(region[who], "xueji_oversight", f"?report={report}")
        found = Api(region[who]).data(OVERSIGHT, {"report": report.upper()})["oversight"]
        assert found["title"] == page["spec"]["title"] and found["unitTitle"] == page["title"]
        assert [(c["check"].lower(), c["label"]) for c in found["checks"]] == list(page["checks"])
        assert [(r["label"], [c["count"] for c in r["counts"]]) for r in found["rows"]] == [
            (r["label"], admin_cells(r)) for r in page["rows"]]
        assert [c["count"] for c in found["total"]["counts"]] == admin_cells(page["total"])
    county = Api(region["county"]).data(OVERSIGHT, {"report": "RECHECK"})["oversight"]
    counts = {c["check"]: c["count"] for c in county["total"]["counts"]}
    assert counts["NO_CLASS"] == 1 and counts["SUSPENSION_OVERDUE"] == 1
    assert Api(region["county"]).data(OVERSIGHT, {"report": report.upper(), "code": "62"}) == {"oversight": None}


def test_oversight_records_are_the_admins_and_are_logged_reads(region):
    county = Api(region["county"], token=True)
    variables = {"report": "RECHECK", "check": "SUSPENSION_OVERDUE"}
    reads = m.ReadLogEntry.objects.count()
    found = county.data(RECORDS, variables)["oversightRecords"]
    page = admin_page(region["county"], "xueji_oversight", "?report=recheck&code=620102&check=suspension_overdue")
    assert [[r["school"], r["reference"], r["name"], r["note"], r["date"]] for r in found["records"]] == [
        r["values"] for r in page["records"]]
    student = region["suspended"].student
    assert found["records"][0]["studentId"] == to_global_id("Student", student.pk) and not found["hasMore"]
    logged = m.ReadLogEntry.objects.filter(door=m.ReadDoor.GRAPHQL, student=student, what="休学期满未复学")
    assert logged.count() == 1 and m.ReadLogEntry.objects.count() > reads  # 第三十八条
    # A check of the other report, a page too large: refused; out of scope: null.
    assert error_codes(county(RECORDS, {**variables, "check": "DEATH_LATE"})[1]) == ["invalid_argument"]
    assert error_codes(county(RECORDS, {**variables, "first": 501})[1]) == ["invalid_page"]
    assert county.data(RECORDS, {**variables, "code": "620103"}) == {"oversightRecords": None}
    assert Api(region["other_city"]).data(RECORDS, variables)["oversightRecords"]["records"] == []
    # The Excel of the records, logged as an export and as reads.
    response = county.client.get(found["exportUrl"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    sheet = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()]
    assert sheet[1][2] == student.name
    assert m.ExportLog.objects.filter(kind="oversight-suspension_overdue").count() == 1
    assert m.ReadLogEntry.objects.filter(door=m.ReadDoor.EXPORT, student=student).count() == 1


def test_rosters_by_class_school_and_county_downloaded_scoped_and_logged(region, places):
    county, registrar = Api(region["county"], token=True), Api(region["registrar"], token=True)
    klass = to_global_id("SchoolClass", region["class"].pk)
    roster = registrar.data(ROSTER, {"class": klass})["roster"]
    assert roster["format"] == "XLSX" and "八(1)班" in roster["title"]
    response = registrar.client.get(roster["url"], HTTP_AUTHORIZATION=f"Bearer {registrar.token}")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert response.status_code == 200 and rows[1][0] == "序号"
    assert sorted(r[6] for r in rows[2:]) == sorted(["甲0", "甲1", "甲2", "休学生"])
    assert m.ExportLog.objects.filter(kind="roster.xlsx", user=region["registrar"], rows=4).count() == 1
    assert m.ReadLogEntry.objects.filter(door=m.ReadDoor.EXPORT).count() == 4

    whole = county.data(ROSTER, {"unit": "620102", "format": "PDF"})["roster"]
    pdf = county.client.get(whole["url"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and whole["format"] == "PDF"
    assert m.ExportLog.objects.filter(kind="roster.pdf", rows=7).count() == 1

    logged = m.ExportLog.objects.count()
    # Out of scope: another county's school, the city above, another school's class: null; and the
    # download URL read by a stranger is a 404, never a file.
    assert county.data(ROSTER, {"school": to_global_id("School", places["other_county_school"].pk)}) == {"roster": None}
    assert county.data(ROSTER, {"unit": "6201"}) == {"roster": None}
    assert Api(staff_user(places["same_county_school"])).data(ROSTER, {"class": klass}) == {"roster": None}
    for stranger in (Api(region["other_city"], token=True), Api(staff_user(places["same_county_school"]), token=True)):
        assert stranger.client.get(roster["url"], HTTP_AUTHORIZATION=f"Bearer {stranger.token}").status_code == 404
    assert county.client.get(roster["url"].replace("format=xlsx", "format=doc"),
                              HTTP_AUTHORIZATION=f"Bearer {county.token}").status_code == 404
    assert error_codes(county(ROSTER, {})[1]) == ["invalid_argument"]
    assert error_codes(county(ROSTER, {"unit": "620102", "grade": 12})[1]) == ["invalid_argument"]
    assert m.ExportLog.objects.count() == logged
    # A grade of a school: the class's cohort in the current school year.
    grade = region["class"].grade()
    by_grade = county.data(ROSTER, {"school": to_global_id("School", places["school"].pk), "stage": "JUNIOR",
                                    "grade": grade})["roster"]
    rows = list(load_workbook(io.BytesIO(county.client.get(
        by_grade["url"], HTTP_AUTHORIZATION=f"Bearer {county.token}").content)).worksheets[0].iter_rows(values_only=True))
    assert sorted(r[6] for r in rows[2:]) == sorted(["甲0", "甲1", "甲2", "休学生"])
    assert stats.unit_for(region["county"], code="6201") is None
