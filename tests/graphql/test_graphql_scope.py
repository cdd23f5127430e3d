"""Scope through the API: inside, the object is there; outside (a school of another county, the
authority of a county of another city) the answer is exactly the answer for a missing object."""

import pytest
from graphql_relay import to_global_id

from cases.models import ArchiveEntry, Evidence, RegistryTaskState
from tests.case_types.helpers import registry_snapshot
from tests.graphql.kit import Api

OUTSIDERS = ["other_county_school", "other_city_county"]
MISSING = 987654


def _objects(pupil, transfer):
    step = RegistryTaskState.objects.filter(workflow_state__object_id=str(transfer.pk)).first()
    return {
        "Student": pupil.student_id, "Registration": pupil.pk, "School": pupil.school_id,
        "SchoolClass": pupil.school_class_id, "AuxiliaryNumber": pupil.auxiliary_numbers.get().pk,
        "RegistrationEvent": pupil.events.first().pk, "ArchiveEntry": ArchiveEntry.objects.filter(student=pupil.student).first().pk,
        "Case": transfer.pk, "Evidence": Evidence.objects.filter(case=transfer).first().pk, "ApprovalStep": step.pk,
    }


LOOKUPS = {
    "node": ("query($id: ID!) { node(id: $id) { id __typename } }", lambda t, pk: {"id": to_global_id(t, pk)}),
}
SINGLE = [
    ("Student", "query($id: ID!) { student(id: $id) { name registryNumber } }"),
    ("Case", "query($id: ID!) { case(id: $id) { number steps { name } evidence { kind } } }"),
    ("Student", "query($id: ID!) { archive(student: $id) { student { name } entries { edges { node { title } } } } }"),
]


@pytest.mark.parametrize("type_name", ["Student", "Registration", "School", "SchoolClass", "AuxiliaryNumber",
                                       "RegistrationEvent", "ArchiveEntry", "Case", "Evidence", "ApprovalStep"])
def test_node_inside_and_outside(people, pupil, transfer, type_name):
    pk = _objects(pupil, transfer)[type_name]
    query = "query($id: ID!) { node(id: $id) { id __typename } }"
    inside = Api(people["registrar"]).data(query, {"id": to_global_id(type_name, pk)})
    assert inside["node"]["__typename"] == type_name
    for outsider in OUTSIDERS:
        api = Api(people[outsider])
        assert api(query, {"id": to_global_id(type_name, pk)}) == api(query, {"id": to_global_id(type_name, MISSING)})
        assert api.data(query, {"id": to_global_id(type_name, pk)}) == {"node": None}


@pytest.mark.parametrize("type_name,query", SINGLE)
def test_single_lookups_inside_and_outside(people, pupil, transfer, type_name, query):
    pk = _objects(pupil, transfer)[type_name]
    for insider in ("registrar", "county", "city"):
        data = Api(people[insider]).data(query, {"id": to_global_id(type_name, pk)})
        assert next(iter(data.values())) is not None
    for outsider in OUTSIDERS:
        api = Api(people[outsider])
        answer = api(query, {"id": to_global_id(type_name, pk)})
        assert answer == api(query, {"id": to_global_id(type_name, MISSING)})
        assert next(iter(answer[1]["data"].values())) is None


def test_lookups_by_number_inside_and_outside(people, pupil, transfer):
    by_registry = 'query($n: String!) { student(registryNumber: $n) { name } }'
    by_case = 'query($n: String!) { case(number: $n) { number } }'
    assert Api(people["county"]).data(by_registry, {"n": pupil.student.registry_number})["student"]
    assert Api(people["county"]).data(by_case, {"n": transfer.number})["case"]
    for outsider in OUTSIDERS:
        api = Api(people[outsider])
        assert api(by_registry, {"n": pupil.student.registry_number}) == api(by_registry, {"n": "G000"})
        assert api(by_case, {"n": transfer.number}) == api(by_case, {"n": "XJ0"})


LISTS = {
    "students": "{ students { edges { node { registryNumber } } } }",
    "registrations": "{ registrations { edges { node { student { registryNumber } } } } }",
    "classes": "{ classes { edges { node { school { code } } } } }",
    "schools": "{ schools { edges { node { code } } } }",
    "cases": "{ cases { edges { node { number } } } }",
}


@pytest.mark.parametrize("name", LISTS)
def test_lists_inside_and_outside(people, pupil, transfer, name):
    marker = {"students": pupil.student.registry_number, "registrations": pupil.student.registry_number,
              "classes": pupil.school.code, "schools": pupil.school.code, "cases": transfer.number}[name]
    for insider in ("registrar", "county", "city"):
        assert marker in str(Api(people[insider]).data(LISTS[name]))
    for outsider in OUTSIDERS:
        assert marker not in str(Api(people[outsider]).data(LISTS[name]))


def test_jurisdictions_are_public_reference_data(people, places):
    # GB/T 2260 divisions are a published standard: every unit reads them (a school reads its
    # county and the authority deciding its case); only the unit itself keeps its data.
    query = '{ jurisdictions(level: COUNTY, codePrefix: "6205") { edges { node { code } } } }'
    for who in ("city", "other_city_county", "registrar"):
        codes = {e["node"]["code"] for e in Api(people[who]).data(query)["jurisdictions"]["edges"]}
        assert "620502" in codes and all(code.startswith("6205") for code in codes)


def test_filters_by_an_out_of_scope_id_find_what_a_missing_id_finds(people, pupil, transfer):
    for outsider in OUTSIDERS:
        api = Api(people[outsider])
        school = to_global_id("School", pupil.school_id)
        assert api.data("query($id: ID!) { students(school: $id) { totalCount } }", {"id": school}) == \
            api.data("query($id: ID!) { students(school: $id) { totalCount } }", {"id": to_global_id("School", MISSING)})
        student = to_global_id("Student", pupil.student_id)
        assert api.data("query($id: ID!) { cases(student: $id) { totalCount } }", {"id": student}) == {"cases": {"totalCount": 0}}


def test_the_destination_side_sees_the_case_but_not_the_origin_history(people, places, pupil, transfer, world):
    destination = Api(world.school_user(places["same_county_school"]))
    data = destination.data("query($id: ID!) { case(id: $id) { number student { name } awaitingMe } }",
                            {"id": to_global_id("Case", transfer.pk)})
    assert data["case"]["student"]["name"] == "王小明" and data["case"]["awaitingMe"] is True


MUTATIONS = {
    "updateCaseDraft": 'mutation($id: ID!) { updateCaseDraft(id: $id, input: {transfer: {reasonText: "x"}}) { result { id } errors { field code } } }',
    "submitCase": 'mutation($id: ID!) { submitCase(id: $id) { result { id } errors { field code } } }',
    "approveCase": 'mutation($id: ID!) { approveCase(id: $id, comment: "同意") { result { id } errors { field code } } }',
    "rejectCase": 'mutation($id: ID!) { rejectCase(id: $id, comment: "退回") { result { id } errors { field code } } }',
    "withdrawCase": 'mutation($id: ID!) { withdrawCase(id: $id) { result { id } errors { field code } } }',
    "overrideRule": 'mutation($id: ID!) { overrideRule(id: $id, ruleCode: "transfer_initial_grade", reason: "x") { result { id } errors { field code } } }',
    "attachEvidence": 'mutation($id: ID!, $file: Upload!) { attachEvidence(caseId: $id, kind: "other", file: $file) { result { id } errors { field code } } }',
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutations_outside_scope_answer_not_found(people, transfer, name):
    query = MUTATIONS[name]
    before = registry_snapshot()
    for outsider in OUTSIDERS:
        api = Api(people[outsider])
        answer = api.data(query, {"id": to_global_id("Case", transfer.pk), "file": "x"})
        assert answer == api.data(query, {"id": to_global_id("Case", MISSING), "file": "x"})
        assert answer[name]["errors"][0]["code"] == "not_found" and answer[name]["result"] is None
    transfer.refresh_from_db()
    assert transfer.state == "in_review" and registry_snapshot() == before


def test_create_case_with_an_out_of_scope_student_answers_not_found(people, pupil, places):
    query = """mutation($student: ID!) { createCase(input: {dropout: {studentId: $student, reason: ABSENT,
      effectiveOn: "2026-03-02"}}) { result { id } errors { field code } } }"""
    api = Api(people["other_county_school"])
    answer = api.data(query, {"student": to_global_id("Student", pupil.student_id)})
    assert answer == api.data(query, {"student": to_global_id("Student", MISSING)})
    assert answer["createCase"]["errors"] == [{"field": "input.dropout.studentId", "code": "not_found"}]


def test_a_step_is_checked_against_its_own_case_not_every_case_the_caller_reads(people, pupil, transfer):
    """A step is read if its case is: the check probes each step's case by its key (EXISTS), not
    the text keys of every case the caller reads (for the province, 160,000 of them per page)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    step = _objects(pupil, transfer)["ApprovalStep"]
    query = "query($id: ID!) { node(id: $id) { id __typename } }"
    with CaptureQueriesContext(connection) as queries:
        assert Api(people["county"]).data(query, {"id": to_global_id("ApprovalStep", step)})["node"]
    checks = [q["sql"] for q in queries.captured_queries if "cases_registrytaskstate" in q["sql"]]
    assert checks and all("EXISTS" in sql for sql in checks), checks
    assert not [sql for sql in checks if re.search(r'CAST\(U0\."id" AS|\(U0\."id"\)::varchar', sql)], checks
