"""Registry queries: find a student, schools, classes, registrations, the archive, the calendar."""

import datetime

from graphql_relay import to_global_id

from cases.models import ArchiveEntryKind, RegistrationStatus
from cases.services.archives import archive_entry_append
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, register_student
from tests.graphql.kit import Api, error_codes


def names(data):
    return sorted(edge["node"]["name"] for edge in next(iter(data.values()))["edges"])


def test_find_students_by_number_name_school_status_and_grade(people, places, pupil):
    first_year = SchoolClassFactory(school=places["school"], stage="junior", cohort=2025)
    other = register_student(school_class=first_year, stage="junior", name="王小红", gender="F")
    registration_change_status(acting_user=None, registration=other, status=RegistrationStatus.SUSPENDED,
                               occurred_on=datetime.date(2026, 3, 1), reason="休学")
    api = Api(people["registrar"])
    query = """query($number: String, $id: String, $name: String, $school: ID, $status: RegistrationStatus, $grade: Int,
      $stage: Stage) { students(registryNumber: $number, idNumber: $id, name: $name, school: $school, status: $status,
      grade: $grade, stage: $stage, orderBy: "name") { edges { node { name } } } }"""
    school = to_global_id("School", places["school"].pk)
    assert names(api.data(query, {"number": pupil.student.registry_number})) == ["王小明"]
    assert names(api.data(query, {"id": other.student.id_number})) == ["王小红"]
    assert names(api.data(query, {"name": "王小"})) == ["王小明", "王小红"]
    assert names(api.data(query, {"school": school, "status": "ACTIVE"})) == ["王小明"]
    assert names(api.data(query, {"school": school, "status": "SUSPENDED"})) == ["王小红"]
    grade = pupil.school_class.grade()
    assert names(api.data(query, {"grade": grade, "stage": "JUNIOR"})) == ["王小明"]
    assert names(api.data(query, {"school": to_global_id("School", places["other_city_school"].pk)})) == []
    page = api.data('{ students(first: 1, orderBy: "-name") { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }')
    assert page["students"]["totalCount"] == 2 and page["students"]["pageInfo"]["hasNextPage"]
    after = page["students"]["pageInfo"]["endCursor"]
    rest = api.data('query($after: String) { students(first: 5, after: $after, orderBy: "-name") { pageInfo { hasNextPage hasPreviousPage } edges { node { name } } } }',
                    {"after": after})
    assert names(rest) == ["王小明"] and rest["students"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    last = api.data('{ students(last: 1, orderBy: "name") { edges { node { name } } } }')
    assert names(last) == ["王小红"]


def test_schools_classes_and_registrations(people, places, pupil):
    api = Api(people["city"])
    schools = api.data('{ schools(within: "620102", stage: JUNIOR, orderBy: "name") { edges { node { name } } } }')
    assert names(schools) == sorted([places["school"].name, places["same_county_school"].name])
    classes = api.data('query($s: ID) { classes(school: $s) { edges { node { className cohort grade gradeLabel } } } }',
                       {"s": to_global_id("School", places["school"].pk)})
    assert classes["classes"]["edges"][0]["node"]["cohort"] == 2024
    registrations = api.data("""{ registrations(isOpen: true, stage: JUNIOR) { edges { node { status student { name }
        auxiliaryNumber { number kind isLive } events { statusTo reason } } } } }""")
    node = registrations["registrations"]["edges"][0]["node"]
    assert node["student"]["name"] == "王小明" and node["auxiliaryNumber"]["isLive"]
    assert node["events"] == [{"statusTo": "ACTIVE", "reason": "新生注册"}]


def test_a_students_archive(people, pupil):
    archive_entry_append(acting_user=people["registrar"], student=pupil.student, school=pupil.school,
                         kind=ArchiveEntryKind.AWARD, title="三好学生")
    api = Api(people["county"])
    query = """query($id: ID!, $kind: ArchiveEntryKind) { archive(student: $id) { student { name }
      entries(kind: $kind, orderBy: "recordedAt") { totalCount edges { node { kind title school { name } } } } } }"""
    archive = api.data(query, {"id": to_global_id("Student", pupil.student_id)})["archive"]
    assert archive["student"]["name"] == "王小明" and archive["entries"]["totalCount"] == 2
    awards = api.data(query, {"id": to_global_id("Student", pupil.student_id), "kind": "AWARD"})["archive"]["entries"]
    assert [e["node"]["title"] for e in awards["edges"]] == ["三好学生"]


def test_working_day_calendar(people):
    api = Api(people["registrar"])
    data = api.data("""{ workingDays(start: "2025-09-30", end: "2025-10-11") { date isWorkingDay }
      addWorkingDays(start: "2025-09-30", count: 3) between: workingDaysBetween(start: "2025-09-30", end: "2025-10-10") }""")
    days = {d["date"]: d["isWorkingDay"] for d in data["workingDays"]}
    assert days["2025-10-01"] is False and days["2025-10-11"] is True and days["2025-09-30"] is True
    assert data["addWorkingDays"] == "2025-10-11" and data["between"] == 2
    status, body = api('{ workingDays(start: "2020-01-01", end: "2025-01-01") { date } }')
    assert error_codes(body) == ["invalid_range"]


def test_case_types(people):
    data = Api(people["registrar"]).data("{ caseTypes { code name articles evidenceKinds { code reasons } } }")
    transfer = next(t for t in data["caseTypes"] if t["code"] == "transfer")
    assert transfer["name"] == "转学" and "第二十六条" in transfer["articles"]
    assert {"code": "residence_proof", "reasons": ["relocation"]} in transfer["evidenceKinds"]
