"""Every connection runs the same number of SQL queries for a page of 10 and a page of 100,
whatever it asks for (nested objects, lists, steps, history)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from cases.models import ArchiveEntryKind, Jurisdiction, Role
from cases.services.archives import archive_entry_append
from cases.services.cases import case_create, case_submit, evidence_attach
from cases.services.students import NewStudent, students_register
from graphql_api.services import api_token_create
from tests.case_types.helpers import pdf
from tests.factories import SchoolClassFactory, SchoolFactory, id_number_for, staff_user
from tests.graphql.kit import Api, queries_for


def intake(school, school_class, count):
    people = []
    for n in range(count):
        id_number, birth = id_number_for(datetime.date(2012, 3, 1), "F" if n % 2 else "M")
        people.append(NewStudent(data={"name": f"学生{n}", "gender": "F" if n % 2 else "M", "birth_date": birth,
                                       "id_number": id_number}, school_class=school_class,
                                 guardians=({"name": f"家长{n}", "relation": "母亲"},)))
    return students_register(acting_user=None, school=school, stage="junior", started_on=datetime.date(2024, 9, 1),
                             people=people)


@pytest.fixture
def school(db):
    return SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620102"))


@pytest.fixture
def crowd(school):
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)
    return intake(school, school_class, 100)


def assert_flat(api, query, variables=None, expect=100):
    """The same number of queries for 10 and for 100 rows."""
    small, data = queries_for(api, query, {**(variables or {}), "first": 10})
    large, data = queries_for(api, query, {**(variables or {}), "first": 100})
    edges = next(iter(data.values()))
    edges = edges["entries"]["edges"] if "entries" in edges else edges["edges"]
    assert len(edges) == expect
    assert small == large, f"{small} queries for 10 rows, {large} for 100"
    return large


def test_students_connection_is_flat(school, crowd):
    api = Api(staff_user(school))
    query = """query($first: Int) { students(first: $first, school: "%s") { pageInfo { hasNextPage endCursor }
      edges { node { id name registryNumber idNumber gender householdCounty { name } paperArchiveSchool { name }
        guardians { name relation }
        currentRegistration { status grade gradeLabel auxiliaryNumber { number } school { name county { name parent { name } } }
          schoolClass { className grade school { code } } }
        registrations { status stage events { statusTo recordedBy { username } } auxiliaryNumbers { number isLive } } } } } }"""
    from graphql_relay import to_global_id

    assert_flat(api, query % to_global_id("School", school.pk))


def test_registrations_and_classes_are_flat(school, crowd):
    api = Api(staff_user(school))
    assert_flat(api, """query($first: Int) { registrations(first: $first) { edges { node { status grade
        student { name guardians { name } } school { name county { code } } schoolClass { className school { name } }
        auxiliaryNumber { number } events { reason } } } } }""")
    for n in range(99):
        SchoolClassFactory(school=school, stage="junior", cohort=2025)
    assert_flat(api, """query($first: Int) { classes(first: $first) { edges { node { className cohort grade gradeLabel
        graduationYear school { name county { name } } } } } }""")


def test_schools_and_jurisdictions_are_flat(db):
    county = Jurisdiction.objects.get(code="620102")
    for n in range(100):
        SchoolFactory(category="1", county=county)
    province = staff_user(Jurisdiction.objects.get(code="62"), role=Role.REVIEWER)
    api = Api(province)
    assert_flat(api, """query($first: Int) { schools(first: $first, within: "620102") { edges { node { name code stages
        category county { name parent { name parent { name } } } township { name } } } } }""")
    # Gansu: the province, 14 cities and 88 counties ship with the divisions migration.
    assert_flat(api, """query($first: Int) { jurisdictions(first: $first) { edges { node { code name level
        parent { name parent { code } } } } } }""")


def test_cases_connection_is_flat_with_steps_evidence_and_history(school, crowd):
    submitter = staff_user(school)
    reviewer = staff_user(school.county, role=Role.REVIEWER)
    for n, registration in enumerate(crowd):
        case = case_create(acting_user=submitter, case_type="dropout", school=school, student=registration.student,
                           reason="absent", effective_on=datetime.date(2026, 3, 2),
                           details={"absent_since": "2026-02-20", "township_reported_on": "2026-02-27"})
        if n % 30 == 0:
            evidence_attach(acting_user=submitter, case=case, kind="other", uploaded_file=pdf())
        case_submit(acting_user=submitter, case=case)
    query = """query($first: Int) { cases(first: $first, orderBy: "-createdAt") { totalCount edges { node { number caseType
        typeName state stage student { name currentRegistration { status } } school { name county { name } }
        destinationSchool { name } createdBy { username } evidence { kind kindLabel document { title url } uploadedBy { username } }
        requiredEvidence { code } missingEvidence { code }
        steps { name level side status dueOn isOverdue awaitingMe approverUnitName approverSchool { name }
          approverJurisdiction { name } finishedBy { username } }
        currentStep { name awaitingMe } awaitingMe comments { comment } history { action actionLabel timestamp user { username } }
        fields { key label text columns rows } } } } }"""
    assert_flat(Api(submitter), query)
    count = assert_flat(Api(reviewer), query)
    data = Api(reviewer).data(query, {"first": 3})
    node = data["cases"]["edges"][0]["node"]
    assert node["awaitingMe"] and node["currentStep"]["awaitingMe"] and node["history"]
    assert count < 40


def test_archive_entries_are_flat(school, crowd):
    student = crowd[0].student
    registrar = staff_user(school)
    for n in range(99):
        archive_entry_append(acting_user=registrar, student=student, school=school, kind=ArchiveEntryKind.AWARD,
                             title=f"奖励{n}")
    from graphql_relay import to_global_id

    api = Api(registrar)
    assert_flat(api, """query($first: Int) { archive(student: "%s") { entries(first: $first) { edges { node { title kind
        recordedAt school { name county { name } } student { name } case { number } corrects { title } document { title }
        recordedBy { username } } } } } }""" % to_global_id("Student", student.pk))


def test_api_tokens_are_flat(db):
    user = get_user_model().objects.create_user("owner", password="x")
    for n in range(100):
        api_token_create(acting_user=user, user=user, name=f"令牌{n}", days=30)
    assert_flat(Api(user), "query($first: Int) { apiTokens(first: $first) { edges { node { name prefix expiresAt } } } }")


def test_awaiting_me_of_school_steps_costs_no_query_per_case(db):
    """A school whose only account submitted the case has its school step decided by its county
    (cases/workflow.py, task_states_awaiting): answering awaitingMe for a page of such cases
    asks the rule once per page, not once per case."""
    from cases.services.cases import case_submit
    from tests.case_types.helpers import World
    from tests.case_types.test_suspension import suspend
    from tests.factories import register_student

    county = Jurisdiction.objects.get(code="620102")
    reviewer, world = staff_user(county, role=Role.REVIEWER), World()

    def submitted(count, head=False):
        for n in range(count):
            school = SchoolFactory(category="1", county=county)
            registration = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                                            stage="junior")
            case, submitter = suspend(world, registration)
            case_submit(acting_user=submitter, case=case)
            if head:
                world.school_head(school)  # a second account: the school decides its own step

    query = """query($first: Int) { cases(first: $first) { edges { node { school { id } awaitingMe
        currentStep { awaitingMe approverSchool { id } } steps { awaitingMe } } } } }"""
    submitted(2)
    submitted(1, head=True)
    small, data = queries_for(Api(reviewer), query, {"first": 100})
    submitted(9)
    large, more = queries_for(Api(reviewer), query, {"first": 100})
    nodes = [e["node"] for e in more["cases"]["edges"]]
    assert len(nodes) == 12
    assert sorted(n["awaitingMe"] for n in nodes) == [False] + [True] * 11  # the school with a head decides itself
    assert all(n["currentStep"]["awaitingMe"] == n["awaitingMe"] for n in nodes)
    assert small == large, f"{small} queries for 3 cases, {large} for 12"
