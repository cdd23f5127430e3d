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
