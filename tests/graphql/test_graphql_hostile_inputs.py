"""Every GraphQL mutation fed hostile strings, dates and numbers (hypothesis, generated from the
schema itself, so a new mutation or input field is covered without editing this file): never
an ``internal_error`` or a 500, and nothing written when the mutation is refused."""

import datetime

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import models as m
from graphql_api.models import ApiToken
from graphql_api.schema import schema
from kit import Api, error_codes

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "", " ", "\x00", "王\x00明", "a" * 6000, "长" * 300, "\U00020bb7" * 60, "\u200b\ufeff", "\x1b[31m",
        "' OR 1=1 --", "<script>alert(1)</script>", "9" * 40, "-1", "0", "null", "{}", "[]", "%s%n",
        "2026-02-30", "0000-00-00", "\ud800",
    ]),
)
HOSTILE_DATE = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(str),
    st.sampled_from(["1899-12-31", "2101-01-01", "9999-12-31", "0001-01-01", "2026-13-01", "yesterday", ""]),
)
HOSTILE_INT = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 1, 101, 10**6, 2**31 - 1]))
SKIPPED = {"attachEvidence"}  # multipart uploads: covered by tests/graphql/test_graphql_cases.py


def unwrap(type_):
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_


def value_for(type_, ids, depth=0):
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, ids, depth)
    return st.one_of(st.none(), _value(type_, ids, depth))


def _value(type_, ids, depth):
    if isinstance(type_, GraphQLList):
        return st.lists(value_for(type_.of_type, ids, depth + 1), max_size=3)
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(list(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 3:
            return st.just({})
        fields = type_.fields
        required = {n: value_for(f.type, ids, depth + 1) for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)}
        optional = {n: value_for(f.type, ids, depth + 1) for n, f in fields.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(type_, GraphQLScalarType)
    return {
        "String": HOSTILE_TEXT, "ID": st.one_of(st.sampled_from(ids), HOSTILE_TEXT), "Int": HOSTILE_INT,
        "Float": st.floats(allow_nan=False, allow_infinity=False), "Boolean": st.booleans(),
        "Date": HOSTILE_DATE, "DateTime": HOSTILE_DATE.map(lambda d: f"{d}T08:00:00+08:00"),
        "JSONString": st.sampled_from(["{}", "[]", "null", '{"a": "\\u0000"}', "[1,2]", "not json"]),
        "Decimal": st.sampled_from(["1", "-1", "1e400", "NaN"]),
    }.get(type_.name, HOSTILE_TEXT)


def mutation_text(name, field):
    params = ", ".join(f"${arg}: {a.type}" for arg, a in field.args.items())
    args = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    payload = unwrap(field.type)
    selection = "errors { code field }" if "errors" in payload.fields else "__typename"
    return f"mutation({params}) {{ {name}({args}) {{ __typename {selection} }} }}"


def written():
    """What a mutation may write (the read log, which records refused reads too, excluded)."""
    return tuple(model.objects.count() for model in (
        m.Case, m.Evidence, m.Registration, m.RegistrationEvent, m.Student, m.ArchiveEntry, m.RegistryLogEntry,
        m.Certificate, ApiToken)) + (tuple(m.Case.objects.order_by("pk").values_list("state", "reason", "end_on")),)


MUTATIONS = {name: field for name, field in schema.graphql_schema.mutation_type.fields.items() if name not in SKIPPED}


@pytest.fixture
def caller(world, places, pupil):
    from tests.case_types.test_suspension import suspend

    case, submitter = suspend(world, pupil)  # a draft the caller may edit, submit, withdraw
    return Api(submitter), [to_global_id("Case", case.pk), to_global_id("Case", case.pk + 10**6),
                            to_global_id("ApiToken", 1), "Q2FzZTox", "not-an-id"]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_inputs_never_give_internal_error_and_a_refusal_writes_nothing(caller, name, data):
    api, ids = caller
    field = MUTATIONS[name]
    variables = {arg: data.draw(value_for(a.type, ids), label=arg) for arg, a in field.args.items()}
    before = written()
    status, body = api(mutation_text(name, field), variables)
    codes = error_codes(body)
    assert "internal_error" not in codes, body
    payload = (body.get("data") or {}).get(name) or {}
    refused = status != 200 or codes or payload.get("errors") or payload == {}
    if refused:
        assert written() == before, (name, variables, body)


# --- the typed case fields: one case type at a time, with real objects to name -----------------
CASE_MEMBERS = schema.graphql_schema.get_type("CaseFieldsInput").fields
HOSTILE_ID = st.one_of(HOSTILE_TEXT, st.sampled_from([
    to_global_id("Student", 10**9), to_global_id("School", "²"), to_global_id("SchoolClass", "9" * 30),
    to_global_id("Case", 1), "U3R1ZGVudDo=", "Og==",
]))


# Dates a case may hold as often as hostile ones: past the edge, the case types' own rules run.
CASE_DATE = st.one_of(st.dates(min_value=datetime.date(2005, 1, 1), max_value=datetime.date(2030, 12, 31)).map(str),
                      HOSTILE_DATE)


def pool_of(field_name):
    """Which objects an ID field of a case input names (studentId, destinationSchoolId…)."""
    name = field_name.lower()
    for word, pool in (("registration", "Registration"), ("class", "SchoolClass"), ("school", "School"),
                       ("student", "Student"), ("county", "Jurisdiction"), ("jurisdiction", "Jurisdiction")):
        if word in name:
            return pool
    return None


def case_value(type_, pools, depth=0, field_name=""):
    """A value for a case input: hostile scalars, and ids that name real objects (the pupil, its
    school and class, schools of the county) as often as hostile ones, so the case types' own
    checks run; lists of rows nested to the guardians."""
    if isinstance(type_, GraphQLNonNull):
        return _case_value(type_.of_type, pools, depth, field_name)
    return st.one_of(st.none(), _case_value(type_, pools, depth, field_name))


def _case_value(type_, pools, depth, field_name):
    if isinstance(type_, GraphQLList):
        return st.lists(case_value(type_.of_type, pools, depth + 1, field_name), max_size=2)
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 6:
            return st.just({})
        return st.fixed_dictionaries({}, optional={n: case_value(f.type, pools, depth + 1, n)
                                                   for n, f in type_.fields.items()})
    if isinstance(type_, GraphQLScalarType) and type_.name == "ID":
        real = pools.get(pool_of(field_name), [])
        return st.one_of(st.sampled_from(real), HOSTILE_ID) if real else HOSTILE_ID
    if isinstance(type_, GraphQLScalarType) and type_.name == "Date":
        return CASE_DATE
    return _value(type_, [], depth)


@pytest.fixture
def case_world(world, places, pupil):
    from cases import models as cm
    from tests.case_types.test_suspension import suspend
    from tests.factories import SchoolClassFactory

    case, submitter = suspend(world, pupil)  # a draft of the pupil's school
    other = SchoolClassFactory(school=places["same_county_school"], stage="junior", cohort=2024)
    pools = {
        "Student": [to_global_id("Student", pupil.student_id)],
        "Registration": [to_global_id("Registration", pupil.pk)],
        "School": [to_global_id("School", s.pk) for s in (places["school"], places["same_county_school"])],
        "SchoolClass": [to_global_id("SchoolClass", c.pk) for c in (pupil.school_class, other)],
        "Jurisdiction": [to_global_id("Jurisdiction", cm.Jurisdiction.objects.get(code="620102").pk)],
    }
    return Api(submitter), pools, to_global_id("Case", case.pk)


CREATE = "mutation($input: CaseFieldsInput!) { createCase(input: $input) { result { id } errors { code field } } }"
UPDATE = ("mutation($id: ID!, $input: CaseFieldsInput!) { updateCaseDraft(id: $id, input: $input) "
          "{ result { id } errors { code field } } }")


@pytest.mark.parametrize("member", sorted(CASE_MEMBERS))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_every_case_types_fields_fed_hostile_values_never_give_internal_error(case_world, member, data):
    """CaseFieldsInput member by member (one case type per call, as a front-end sends it): the
    type's declared fields (rows of pupils with guardians, dates, choices, ids of real and of
    missing objects) never give an internal_error, and a refused call writes nothing."""
    api, pools, draft = case_world
    fields = data.draw(case_value(CASE_MEMBERS[member].type, pools), label=member)
    for mutation, variables in ((CREATE, {"input": {member: fields}}), (UPDATE, {"id": draft, "input": {member: fields}})):
        before = written()
        status, body = api(mutation, variables)
        codes = error_codes(body)
        assert "internal_error" not in codes, (member, variables, body)
        payload = next(iter((body.get("data") or {}).values()), None) or {}
        if status != 200 or codes or payload.get("errors") or not payload.get("result"):
            assert written() == before, (member, variables, body)
