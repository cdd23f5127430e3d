"""Attacks on the GraphQL endpoint's cost control (issue 9, item 5): fragments re-spread under
aliases, exponential fragment nesting, anonymous floods, and a validation cache defeated by
whitespace."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from graphql import parse
from graphql.validation import validate

from graphql_api.core import documents
from graphql_api.core.validation import CostLimitRule
from graphql_api.schema import schema
from tests.factories import staff_user
from tests.graphql.kit import Api, check, error_codes

HEAVY = "registrations { events { reason recordedAt } auxiliaryNumbers { number } }"


@pytest.fixture
def api(places, pupil):
    return Api(staff_user(places["school"]))


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    documents.cache_clear()
    yield
    cache.clear()


def cost_of(query):
    """The cost the rule computes for the (single) operation of a query, with no budget."""
    measured = []

    class Measuring(CostLimitRule):
        def enter_operation_definition(self, node, *_args):
            measured.append(self.measure(node))

    with override_settings(XUEJI_GRAPHQL_MAX_COST=10**15, XUEJI_GRAPHQL_MAX_DEPTH=100):
        validate(schema.graphql_schema, parse(query), [Measuring])
    return measured[0][1]


def test_a_fragment_counts_every_time_it_is_spread():
    """The fragment is spread at a level *and* under aliased sibling fields below it: the old
    rule counted it once (a spread already seen was skipped), the expansion counts it each time."""
    aliases = " ".join(f"r{n}: currentRegistration {{ student {{ ...Heavy }} }}" for n in range(6))
    with_fragments = f"""
        query {{ students(first: 100) {{ edges {{ node {{ ...Heavy ...Twice }} }} }} }}
        fragment Heavy on Student {{ {HEAVY} }}
        fragment Twice on Student {{ {aliases} }}
    """
    inline = f"... on Student {{ {HEAVY} }}"
    aliases_inline = " ".join(f"r{n}: currentRegistration {{ student {{ {inline} }} }}" for n in range(6))
    expanded = f"query {{ students(first: 100) {{ edges {{ node {{ {inline} {aliases_inline} }} }} }} }}"
    assert cost_of(with_fragments) == cost_of(expanded)
    one = cost_of(f"query {{ students(first: 100) {{ edges {{ node {{ {inline} }} }} }} }}")
    assert cost_of(with_fragments) > 6 * one


def test_re_spread_fragments_are_refused_over_budget(api):
    """Each alias alone is cheap; 20 of them re-spreading the fragment are over the budget, and
    nothing is read from the database."""
    spreads = " ".join(f"s{n}: students(first: 100) {{ ...Page }}" for n in range(20))
    query = f"query {{ {spreads} }} fragment Page on StudentConnection {{ edges {{ node {{ ...Heavy }} }} }} " \
            f"fragment Heavy on Student {{ {HEAVY} }}"
    assert api.data("query { s0: students(first: 100) { ...Page } } fragment Page on StudentConnection "
                    f"{{ edges {{ node {{ {HEAVY} }} }} }}")
    with CaptureQueriesContext(connection) as captured:
        status, body = api(query)
    assert status == 400 and error_codes(body) == ["query_too_complex"]
    assert not [q for q in captured.captured_queries if "cases_student" in q["sql"]]


def test_exponential_fragment_nesting_is_measured_without_expanding_it(api):
    """Ten levels of ten aliases each spreading the level below: 10**10 fields once expanded.
    Measured in linear time (memoised per fragment) and refused."""
    levels = ["fragment L0 on Student { name }"]
    for level in range(1, 10):
        body = " ".join(f"a{n}: currentRegistration {{ student {{ ...L{level - 1} }} }}" for n in range(10))
        levels.append(f"fragment L{level} on Student {{ {body} }}")
    query = "query { students(first: 1) { edges { node { ...L9 } } } } " + " ".join(levels)
    status, body = api(query)
    assert status == 400 and set(error_codes(body)) <= {"query_too_deep", "query_too_complex"}


def test_whitespace_and_comments_do_not_defeat_the_validation_cache(api):
    api.data("{ me { user { username } } }")
    assert (documents.verdicts.hits, documents.verdicts.misses) == (0, 1)
    for variant in ["{me{user{username}}}", "{\n  me {\n    user { username }  # who am I\n  }\n}",
                    "  {  me  ,  { user , { username } } }  "]:
        api.data(variant)
    assert (documents.verdicts.hits, documents.verdicts.misses) == (3, 1)
    api.data("{ me { role user { username } } }")  # a different document is a new verdict
    assert documents.verdicts.misses == 2


def anonymous_post(client, text, **extra):
    return check(client.post("/graphql/", data=text, content_type="application/json", **extra))


@pytest.mark.django_db
def test_anonymous_oversized_request_is_refused_unparsed():
    padding = " " * 5000
    text = json.dumps({"query": "{ me { role } }" + padding})
    response = Client().post("/graphql/", data=text, content_type="application/json")
    assert response.status_code == 413
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "request_too_large"
    assert documents.parse_document.cache_info().misses == 0  # never parsed


@pytest.mark.django_db
@override_settings(XUEJI_GRAPHQL_ANON_PER_MINUTE=3)
def test_anonymous_flood_is_rate_limited_per_ip_in_the_shared_cache(places):
    client = Client()
    text = json.dumps({"query": "{ me { role } }"})
    for _ in range(3):
        status, body = anonymous_post(client, text, REMOTE_ADDR="203.0.113.5")
        assert status == 200 and body["data"]["me"] is None
    response = client.post("/graphql/", data=text, content_type="application/json", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429
    assert json.loads(response.content)["errors"][0]["extensions"]["code"] == "rate_limited"
    assert cache.get("xueji:graphql:anon:ip:203.0.113.5") >= 4  # the counter lives in the Django cache
    # another IP is not affected, and neither is a signed-in user from the same IP
    assert anonymous_post(client, text, REMOTE_ADDR="203.0.113.6")[0] == 200
    user_client = Client()
    user_client.force_login(staff_user(places["school"]))
    for _ in range(5):
        response = user_client.post("/graphql/", data=json.dumps({"query": "{ me { role } }"}),
                                    content_type="application/json", REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200


@pytest.mark.django_db
@override_settings(XUEJI_GRAPHQL_ANON_PER_MINUTE=100, XUEJI_GRAPHQL_ANON_ALL_PER_MINUTE=4)
def test_anonymous_callers_together_have_a_global_limit():
    client = Client()
    text = json.dumps({"query": "{ me { role } }"})
    codes = [client.post("/graphql/", data=text, content_type="application/json",
                         REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
