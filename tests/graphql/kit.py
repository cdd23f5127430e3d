"""Helpers for the GraphQL tests: a client that posts queries and checks the answer is clean.

(tests/graphql has no __init__.py on purpose: a package named ``graphql`` would shadow graphql-core.)"""

import json

from django.test import Client

from graphql_api.services import api_token_create


def post(client, query, variables=None, token=None, **extra):
    """POST a query as JSON; returns (status, body). Never a 500, never a traceback."""
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", **extra)
    return check(response)


def check(response):
    text = response.content.decode()
    assert response.status_code in (200, 400, 401, 403, 405), (response.status_code, text[:2000])
    assert "Traceback" not in text and 'File "' not in text
    return response.status_code, json.loads(text)


def data_of(status_and_body):
    status, body = status_and_body
    assert status == 200 and "errors" not in body, body
    return body["data"]


def error_codes(body):
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


class Api:
    """Calls /graphql/ as one user: through a session (force_login) or a personal token."""

    def __init__(self, user, *, token=False):
        self.user = user
        self.client = Client()
        self.token = None
        if token:
            _, self.token = api_token_create(acting_user=user, user=user, name="测试", days=30)
        else:
            self.client.force_login(user)

    def __call__(self, query, variables=None):
        return post(self.client, query, variables, token=self.token)

    def data(self, query, variables=None):
        return data_of(self(query, variables))


def queries_for(api, query, variables=None):
    """(number of SQL queries, data) of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = api.data(query, variables)
    return len(captured.captured_queries), result


def upload(api, query, variables, files):
    """A GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec):
    ``files`` maps a variable name to (file name, bytes, content type)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    variables = {**variables, **{name: None for name in files}}
    payload = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({str(n): [f"variables.{name}"] for n, name in enumerate(files)}),
    }
    for n, (name, (filename, content, content_type)) in enumerate(files.items()):
        payload[str(n)] = SimpleUploadedFile(filename, content, content_type=content_type)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"} if api.token else {}
    return check(api.client.post("/graphql/", data=payload, **extra))
