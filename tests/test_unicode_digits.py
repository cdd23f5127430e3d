"""Ids, cursors and choices written with digits that are not ASCII ("²", "１２", "١"): Python's
``str.isdigit`` accepts them, ``int()`` or the database then refuse them. Every door answers
as for any other unknown id — a clean refusal or an empty choice, never a 500 — and nothing
is read or changed (cases.edge.is_digits)."""

import base64

import pytest
from django.urls import reverse

from cases import models as m
from cases.edge import is_digits
from tests.factories import register_student, staff_user
from tests.graphql.kit import Api, error_codes

HOSTILE = ["²", "１２", "١", "1²", "⑦"]


@pytest.mark.parametrize("text", HOSTILE)
def test_only_ascii_digits_are_numbers(text):
    assert text.isdigit() or not text.isdecimal()
    assert not is_digits(text)


def test_plain_numbers_are_numbers():
    assert is_digits("0") and is_digits("12345")
    assert not is_digits("") and not is_digits(None) and not is_digits("-1") and not is_digits("1 2")


def _b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("text", HOSTILE)
def test_graphql_ids_and_cursors_with_other_digits_are_refused_cleanly(school, text):
    student = register_student(school=school).student
    api = Api(staff_user(school), token=True)
    reads = m.ReadLogEntry.objects.count()
    status, body = api("query($id: ID!) { node(id: $id) { id } }", {"id": _b64(f"Student:{text}")})
    assert status == 200 and "internal_error" not in error_codes(body)
    assert (body.get("data") or {}).get("node") is None
    status, body = api("query($id: ID!) { student(id: $id) { name } }", {"id": _b64(f"Student:{text}")})
    assert "internal_error" not in error_codes(body) and not (body.get("data") or {}).get("student")
    status, body = api("query($c: String) { students(first: 5, after: $c) { edges { node { name } } } }",
                       {"c": _b64(f"keyrow:{text}")})
    assert error_codes(body) == ["invalid_cursor"]
    assert m.ReadLogEntry.objects.count() == reads  # nothing was read
    assert api.data("query { students(first: 5) { edges { node { name } } } }")["students"]["edges"][0]["node"][
        "name"] == student.name


@pytest.mark.parametrize("text", HOSTILE)
def test_admin_doors_with_other_digits_answer_as_for_no_choice(client, school, text):
    register_student(school=school)
    client.force_login(staff_user(school))
    for url, params in [(reverse("wagtailsnippets_cases_student:list"), {"after": text}),
                        (reverse("wagtailsnippets_cases_student:list"), {"school": text}),
                        (reverse("xueji_statistics"), {"school": text})]:
        response = client.get(url, params)
        assert response.status_code in (200, 302), (url, params, response.status_code)
