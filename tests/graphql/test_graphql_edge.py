"""Edge validation (graphql_api/core/edge.py): what no field accepts is refused before any
resolver runs, with a typed code and a Chinese message; nothing reaches the database."""

import pytest

from kit import Api, error_codes

QUERY = "query($first: Int, $name: String) { schools(first: $first, name: $name) { edges { node { name } } } }"


@pytest.fixture
def api(people):
    return Api(people["county"])


@pytest.mark.parametrize("variables, code", [
    ({"first": -1}, "invalid_page"),
    ({"first": 101}, "page_too_large"),
    ({"first": 10**9}, "page_too_large"),
    ({"first": 2**31 - 1}, "page_too_large"),
    ({"name": "城关\x00"}, "invalid_character"),
    ({"name": "城" * 5001}, "too_long"),
])
def test_hostile_arguments_get_a_typed_error(api, variables, code):
    status, body = api(QUERY, variables)
    assert status == 200 and error_codes(body) == [code]
    message = body["errors"][0]["message"]
    assert any("\u4e00" <= c <= "\u9fff" for c in message)  # Chinese, for the user
    assert (body.get("data") or {}).get("schools") is None


def test_null_and_zero_page_sizes_are_answered(api, places):
    for first in (None, 0, 100):
        status, body = api(QUERY, {"first": first, "name": "城关区第一初级中学"})
        assert status == 200 and "errors" not in body, body
    status, body = api(QUERY, {"first": None, "name": "城关区第一初级中学"})
    assert [e["node"]["name"] for e in body["data"]["schools"]["edges"]] == ["城关区第一初级中学"]


@pytest.mark.parametrize("first", [10**10, -(10**10), "100", 1.5, [1], {"a": 1}])
def test_a_page_size_beyond_an_int_or_of_another_type_gets_a_code(api, first):
    status, body = api(QUERY, {"first": first})
    assert status in (200, 400) and error_codes(body) == ["invalid_value"], body
    assert body["errors"][0]["extensions"]["field"] == "first"


def test_a_far_date_is_refused_before_the_service(api, world, places, pupil):
    from graphql_relay import to_global_id

    from tests.case_types.test_suspension import suspend

    case, submitter = suspend(world, pupil)
    mutation = ("mutation($id: ID!, $input: CaseFieldsInput!) { updateCaseDraft(id: $id, input: $input) "
                "{ errors { code } } }")
    status, body = Api(submitter)(mutation, {"id": to_global_id("Case", case.pk),
                                             "input": {"suspension": {"endOn": "9999-12-31"}}})
    assert status == 200 and error_codes(body) == ["date_out_of_range"], body
    case.refresh_from_db()
    assert str(case.end_on) != "9999-12-31"


@pytest.mark.parametrize("value, where", [
    ({"suspension": {"effectiveOn": "2026-13-01"}}, "input.suspension.effectiveOn"),
    ({"registration": {"people": [{"birthDate": "昨天"}]}}, "input.registration.people[0].birthDate"),
    ({"suspension": {"reason": "NOT_A_REASON"}}, "input.suspension.reason"),
    (None, "input"),
    ([{"suspension": {"reason": "illness"}}], "input"),  # a JSON list where an object belongs
    ({"suspension": [{"reason": "illness"}]}, "input.suspension"),
])
def test_a_variable_of_the_wrong_type_gets_a_code_and_a_chinese_message(api, value, where):
    status, body = api("mutation($input: CaseFieldsInput!) { createCase(input: $input) { errors { code } } }",
                       {"input": value})
    assert status in (200, 400) and error_codes(body) == ["invalid_value"], body
    error = body["errors"][0]
    assert error["extensions"]["field"] == where
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"])
