"""Sessions (same origin, CSRF enforced) and personal API tokens (Bearer, CSRF-exempt)."""

import datetime
import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases.errors import rule_errors
from graphql_api.models import ApiToken
from graphql_api.services import api_token_authenticate, api_token_create, api_token_revoke
from tests.factories import staff_user
from tests.graphql.kit import Api, check, error_codes, post

ME = "{ me { user { username } unit { ... on School { name } } } }"


@pytest.fixture
def registrar(places):
    return staff_user(places["school"])


def test_token_stores_only_a_hash_and_shows_the_secret_once(registrar):
    token, secret = api_token_create(acting_user=registrar, user=registrar, name="区数据中心", days=30)
    token.refresh_from_db()
    assert secret.startswith(f"xj_{token.prefix}_") and len(secret) > 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert api_token_authenticate(secret) == registrar
    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_token_authenticate("xj_nothing_here") is None and api_token_authenticate("garbage") is None


def test_expired_revoked_or_inactive_tokens_are_refused(registrar):
    token, secret = api_token_create(acting_user=registrar, user=registrar, name="n", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api_token_authenticate(secret) is None
    token, secret = api_token_create(acting_user=registrar, user=registrar, name="n", days=1)
    api_token_revoke(acting_user=registrar, token=token)
    assert api_token_authenticate(secret) is None
    with pytest.raises(ValidationError):
        api_token_revoke(acting_user=registrar, token=token)
    token, secret = api_token_create(acting_user=registrar, user=registrar, name="n", days=1)
    registrar.is_active = False
    registrar.save()
    assert api_token_authenticate(secret) is None


def test_token_rules_and_who_may_manage_tokens(registrar, places):
    with pytest.raises(ValidationError) as info:
        api_token_create(acting_user=registrar, user=registrar, name=" ", days=0)
    assert {e["code"] for e in rule_errors(info.value)} == {"api_token_name", "api_token_days"}
    other = staff_user(places["other_city_school"])
    with pytest.raises(PermissionDenied):
        api_token_create(acting_user=other, user=registrar, name="n", days=1)
    token, _ = api_token_create(acting_user=registrar, user=registrar, name="n", days=1)
    with pytest.raises(PermissionDenied):
        api_token_revoke(acting_user=other, token=token)
    admin = get_user_model().objects.create_superuser("root", password="x")
    api_token_create(acting_user=admin, user=registrar, name="由管理员创建", days=1)
    assert ApiToken.objects.filter(user=registrar).count() == 2


def test_bearer_token_acts_as_its_user_and_needs_no_csrf(registrar):
    _, secret = api_token_create(acting_user=registrar, user=registrar, name="n", days=1)
    client = Client(enforce_csrf_checks=True)
    status, body = post(client, ME, token=secret)
    assert status == 200 and body["data"]["me"]["user"]["username"] == registrar.username
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_bad_bearer_token_is_401_even_with_a_session(registrar):
    client = Client()
    client.force_login(registrar)
    for header in ("Bearer xj_bad_secret", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        response = client.post("/graphql/", data=json.dumps({"query": ME}), content_type="application/json",
                               HTTP_AUTHORIZATION=header)
        status, body = check(response)
        assert status == 401 and error_codes(body) == ["unauthenticated"]


def test_session_posts_need_the_csrf_token(registrar):
    client = Client(enforce_csrf_checks=True)
    client.force_login(registrar)
    status, body = post(client, ME)
    assert status == 403 and error_codes(body) == ["csrf_failed"]
    client.get("/graphql/", {"query": ME}, HTTP_ACCEPT="application/json")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    status, body = post(client, ME, HTTP_X_CSRFTOKEN=csrf)
    assert status == 200 and body["data"]["me"]["user"]["username"] == registrar.username


def test_anonymous_caller_sees_nothing_and_may_change_nothing(pupil):
    client = Client()
    status, body = post(client, '{ me { user { username } } students { edges { node { name } } } }')
    assert status == 200 and body["data"] == {"me": None, "students": {"edges": []}}
    status, body = post(client, 'mutation { submitCase(id: "Q2FzZTox") { result { id } errors { code } } }')
    assert body["data"]["submitCase"]["errors"] == [{"code": "unauthenticated"}]


def test_tokens_through_the_api_session_only(registrar):
    api = Api(registrar)
    data = api.data('mutation { createApiToken(name: "教务系统", days: 90) { secret result { id name expiresAt } errors { code } } }')
    payload = data["createApiToken"]
    assert payload["errors"] == [] and payload["secret"].startswith("xj_")
    token_api = Api(registrar, token=True)
    data = token_api.data('mutation { createApiToken(name: "x", days: 1) { secret errors { code } } }')
    assert data["createApiToken"] == {"secret": None, "errors": [{"code": "permission_denied"}]}
    listed = api.data("{ apiTokens { edges { node { id name } } } }")["apiTokens"]["edges"]
    assert {e["node"]["name"] for e in listed} == {"教务系统", "测试"}
    token_id = payload["result"]["id"]
    other = Api(staff_user(registrar.staff_profile.school))
    assert other.data("{ apiTokens { edges { node { id } } } }")["apiTokens"]["edges"] == []
    revoke = 'mutation($id: ID!) { revokeApiToken(id: $id) { result { revokedAt } errors { code } } }'
    assert other.data(revoke, {"id": token_id})["revokeApiToken"]["errors"] == [{"code": "not_found"}]
    assert api.data(revoke, {"id": token_id})["revokeApiToken"]["result"]["revokedAt"]


def test_management_command_creates_and_revokes(registrar, capsys):
    call_command("api_token", "create", registrar.username, "--name", "夜间同步", "--days", "30")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert api_token_authenticate(secret) == registrar
    call_command("api_token", "revoke", ApiToken.objects.get().prefix)
    assert api_token_authenticate(secret) is None
