"""Whatever is sent, the answer is a clean GraphQL error: never a 500, never a traceback."""

import json

import pytest
from django.test import override_settings
from graphql_relay import to_global_id

from graphql_api.core import documents
from tests.factories import staff_user
from tests.graphql.kit import Api, check, error_codes


@pytest.fixture
def api(places, pupil):
    return Api(staff_user(places["school"]))


@pytest.mark.parametrize("bad_id", ["", "nonsense", "@@@", to_global_id("Student", "abc"), to_global_id("Nope", 1),
                                    to_global_id("Student", "-1"), "U3R1ZGVudDo", "\u5b66\u7c4d"])
def test_malformed_global_ids(api, bad_id):
    status, body = api("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id})
    assert status == 200 and body["data"]["node"] is None and error_codes(body) == ["invalid_id"]
    status, body = api("query($id: ID!) { archive(student: $id) { student { name } } }", {"id": bad_id})
    assert error_codes(body) == ["invalid_id"]
    status, body = api("query($id: ID!) { students(school: $id) { edges { node { name } } } }", {"id": bad_id})
    assert error_codes(body) in (["invalid_id"], [])  # "" means no filter
    status, body = api('mutation($id: ID!) { submitCase(id: $id) { errors { code } } }', {"id": bad_id})
    assert body["data"]["submitCase"]["errors"] == [{"code": "invalid_id"}]


def test_an_id_of_another_type_is_refused(api, pupil):
    school_id = to_global_id("School", pupil.school_id)
    status, body = api('query($id: ID!) { case(id: $id) { number } }', {"id": school_id})
    assert error_codes(body) == ["invalid_id"]
    status, body = api('mutation($id: ID!) { approveCase(id: $id) { errors { code } } }', {"id": school_id})
    assert body["data"]["approveCase"]["errors"] == [{"code": "invalid_id"}]


def test_wrong_types_and_unknown_fields_are_validation_errors(api):
    for query, variables in [
        ("{ students(first: \"ten\") { edges { node { name } } } }", None),
        ("{ students { edges { node { nope } } } }", None),
        ("query($f: Int) { students(first: $f) { totalCount } }", {"f": "x"}),
        ("{ schools(stage: NOT_A_STAGE) { totalCount } }", None),
        ("{ addWorkingDays(start: \"2025-13-01\", count: 1) }", None),
        ("mutation { createCase(input: {transfer: {reason: \"relocation\"}}) { errors { code } } }", None),
        ("mutation { createCase(input: {transfer: {details: \"{}\"}}) { errors { code } } }", None),
        ("{ students { edges { node { name } } }", None),  # syntax
    ]:
        status, body = api(query, variables)
        assert status in (200, 400) and body["errors"], (query, body)


def test_page_size_is_capped_and_cursors_checked(api):
    for query in ["{ students(first: 101) { totalCount } }", "{ students(last: 500) { totalCount } }",
                  "{ students(first: -1) { totalCount } }", '{ students(after: "bm9wZQ==") { totalCount } }',
                  '{ students(orderBy: "idNumberHash") { totalCount } }']:
        status, body = api(query)
        assert status == 200 and error_codes(body)[0] in ("page_too_large", "invalid_page", "invalid_cursor",
                                                         "invalid_filter"), body


def test_too_deep_and_too_costly_queries_are_refused(api):
    deep = "{ cases { edges { node { student { currentRegistration { school { county { parent { parent { parent { name } } } } } } } } } } }"
    status, body = api(deep)
    assert status == 400 and error_codes(body) == ["query_too_deep"]
    costly = "{ " + " ".join(f"s{n}: students(first: 100) {{ edges {{ node {{ registrations {{ events {{ reason recordedAt }} auxiliaryNumbers {{ number }} }} }} }} }}" for n in range(8)) + " }"
    status, body = api(costly)
    assert status == 400 and error_codes(body) == ["query_too_complex"]


@override_settings(XUEJI_GRAPHQL_MAX_QUERY_LENGTH=200)
def test_oversized_query_is_refused(api):
    status, body = api("{ " + " ".join(f"a{n}: __typename" for n in range(100)) + " }")
    assert status == 400 and error_codes(body) == ["query_too_large"]


def test_introspection_can_be_switched_off(api):
    status, body = api("{ __schema { types { name } } }")
    assert status == 200 and body["data"]["__schema"]["types"]
    with override_settings(XUEJI_GRAPHQL_INTROSPECTION=False):
        status, body = api("{ __schema { types { name } } }")
        assert status == 400 and "introspection" in body["errors"][0]["message"]
        assert api.data("{ me { user { username } } }")


def test_parsed_documents_are_cached(api):
    documents.cache_clear()
    for _ in range(3):
        api.data("{ me { user { username } } }")
    assert documents.parse_document.cache_info().hits == 2
    assert (documents.verdicts.hits, documents.verdicts.misses) == (2, 1)  # validated once


def test_broken_requests(api):
    client = api.client
    for body, content_type in [("{not json", "application/json"), ("[1, 2]", "application/json"), ("", "application/json"),
                               ("\xff", "application/json")]:
        status, answer = check(client.post("/graphql/", data=body, content_type=content_type))
        assert status == 400 and answer["errors"]
    status, answer = check(client.post("/graphql/", data=json.dumps({"query": "{ me { role } }", "variables": "[1"}),
                                       content_type="application/json"))
    assert status == 400
    status, answer = check(client.get("/graphql/", {"query": "mutation { withdrawCase(id: \"x\") { errors { code } } }"},
                                      HTTP_ACCEPT="application/json"))
    assert status == 400 and answer["errors"]
    status, answer = check(client.put("/graphql/", data="{}", content_type="application/json"))


def test_bad_uploads(api):
    client = api.client
    mutation = 'mutation($file: Upload!) { attachEvidence(caseId: "Q2FzZTox", kind: "other", file: $file) { errors { code } } }'
    operations = json.dumps({"query": mutation, "variables": {"file": None}})
    for data in [
        {"operations": "{broken", "map": "{}"},
        {"operations": operations, "map": '{"0": ["variables.file"]}'},  # the file is missing
        {"operations": operations, "map": '{"0": ["variables.nothing.deeper"]}', "0": b"x"},
        {"operations": operations, "map": "[]"},
        {"operations": "[]", "map": "{}"},
    ]:
        files = {k: v for k, v in data.items() if isinstance(v, bytes)}
        from django.core.files.uploadedfile import SimpleUploadedFile

        payload = {k: v for k, v in data.items() if not isinstance(v, bytes)}
        payload.update({k: SimpleUploadedFile("f.pdf", v) for k, v in files.items()})
        status, body = check(client.post("/graphql/", data=payload))
        assert status in (200, 400) and body.get("errors") or body["data"]["attachEvidence"]["errors"], body
    # A string where the file should be: a typed error, not a crash.
    status, body = api(mutation, {"file": "not a file"})
    assert status == 200 and body["data"]["attachEvidence"]["errors"]


def test_unexpected_failures_are_masked(api, monkeypatch):
    from graphql_api.registry import queries

    def boom(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(queries, "fetch_one", boom)
    status, body = api('{ student(registryNumber: "G1") { name } }')
    assert status == 200 and error_codes(body) == ["internal_error"] and "secret" not in json.dumps(body)


def test_graphiql_only_when_debug(api):
    response = api.client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")  # DEBUG is off in tests


def test_production_turns_introspection_off_by_default():
    import subprocess
    import sys

    code = "from cms.settings import production as p; print(p.XUEJI_GRAPHQL_INTROSPECTION, p.DEBUG)"
    env = {"SECRET_KEY": "x", "PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:6379/1",
           "WAGTAILADMIN_BASE_URL": "https://xueji.example.cn"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    env["XUEJI_GRAPHQL_INTROSPECTION"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
