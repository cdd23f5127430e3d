"""Policy pages over GraphQL: public, live pages only, the same articles and citing case types
as the site."""

import json

import pytest
from django.core.management import call_command

from cms.models import NoticePage, RegulationPage

QUERY = """{ regulation { page { title url kind } articles { number anchor url chapter caseTypes { code } } }
  notices { page { title } date } queryServices { provinceCode name url } policyPages { kind title } }"""


def ask(client, query=QUERY):
    response = client.post("/graphql/", json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def site(db):
    call_command("load_regulation", verbosity=0)


def test_anonymous_reads_the_regulation_articles_with_anchors_and_citing_case_types(client, site):
    data = ask(client)["data"]
    articles = data["regulation"]["articles"]
    assert len(articles) == 40 and articles[0]["number"] == "第一条"
    by_number = {a["number"]: a for a in articles}
    assert "transfer" in [c["code"] for c in by_number["第二十二条"]["caseTypes"]]
    assert by_number["第二十二条"]["url"].endswith("#" + by_number["第二十二条"]["anchor"])
    assert by_number["第一条"]["caseTypes"] == []
    assert len(data["queryServices"]) == 31
    assert {p["kind"] for p in data["policyPages"]} >= {"regulation", "notice", "directory"}
    assert data["notices"]


def test_unpublished_pages_are_not_served(client, site):
    page = RegulationPage.objects.get()
    page.unpublish()
    NoticePage.objects.get().unpublish()
    data = ask(client)["data"]
    assert data["regulation"] is None and data["notices"] == []
    assert "regulation" not in {p["kind"] for p in data["policyPages"]}
