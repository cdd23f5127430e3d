"""A G registry number is "G" + the ID number (第九条): wherever a unit that does not hold the
student reads it, it is masked like the ID number (J and L numbers embed no ID and stay whole),
and a number typed into a search box finds only the students the user holds. Written as the
attack: the former school after a transfer (城关甲校 and the county and city above it) and the
school named in a draft transfer (城关乙校) go through every door they have — the record, the
listings and their exports, the case page, the archive, the choosers, the 学籍卡 PDF, GraphQL at
the root and nested, page cursors, filters and the search box — looking for the whole number."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from graphql_relay import to_global_id

from cases import access
from cases import models as m
from tests.factories import register_student
from tests.graphql.kit import Api

from .scenario import build

FORMER = ("school", "county", "city")  # 甲校 and its authorities: they read 转出生, they do not hold him


@pytest.fixture
def scenario(db):
    return build()


def secrets_of(student):
    """What a non-holder must never read: the whole ID number and G number (the same digits)."""
    assert student.registry_number.startswith("G") and student.id_number
    return [student.registry_number, student.id_number, student.registry_number[1:]]


def masked_number(student):
    return access.mask("registry_number", student.registry_number)


def xlsx_text(response):
    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


def pdf_text(response):
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def admin_doors(scenario, student):
    """(label, url) of every admin page a reader of ``student`` opens about him."""
    registrations = m.Registration.objects.filter(student=student)
    entries = m.ArchiveEntry.objects.filter(student=student)
    cases = m.Case.objects.filter(student=student)
    doors = [("record", reverse("wagtailsnippets_cases_student:inspect", args=[student.pk])),
             ("list", reverse("wagtailsnippets_cases_student:list")),
             ("list search", reverse("wagtailsnippets_cases_student:list") + f"?q={student.name}"),
             ("registrations", reverse("wagtailsnippets_cases_registration:list")),
             ("archive", reverse("wagtailsnippets_cases_archiveentry:list")),
             ("cases", reverse("wagtailsnippets_cases_case:list")),
             ("student chooser", reverse("wagtailsnippetchoosers_cases_student:choose")),
             ("history report", reverse("wagtailadmin_reports:site_history")),
             ("read log", reverse("wagtailsnippets_cases_readlogentry:list"))]
    doors += [(f"registration {r.pk}", reverse("wagtailsnippets_cases_registration:inspect", args=[r.pk]))
              for r in registrations]
    doors += [(f"archive entry {e.pk}", reverse("wagtailsnippets_cases_archiveentry:inspect", args=[e.pk]))
              for e in entries]
    doors += [(f"case {c.number}", reverse("wagtailsnippets_cases_case:edit", args=[c.pk])) for c in cases]
    return doors


def read_everything(client, scenario, student):
    """{door: text} of every door that answers 200 (exports and the 学籍卡 PDF as text)."""
    seen = {}
    for label, url in admin_doors(scenario, student):
        response = client.get(url)
        if response.status_code == 200:
            seen[label] = response.content.decode()
    for label, name in (("student export", "wagtailsnippets_cases_student:list"),
                        ("registration export", "wagtailsnippets_cases_registration:list"),
                        ("case export", "wagtailsnippets_cases_case:list")):
        response = client.get(reverse(name) + "?export=xlsx")
        if response.status_code == 200:
            seen[label] = xlsx_text(response)
    card = client.get(reverse("xueji_student_card", args=[student.pk]))
    if card.status_code == 200:
        seen["card pdf"] = pdf_text(card)
    return seen


@pytest.mark.parametrize("role", FORMER)
def test_the_former_side_never_reads_the_whole_g_number_in_the_admin(scenario, role):
    mover = scenario.students["mover"]
    client = Client()
    client.force_login(scenario.users[role])
    seen = read_everything(client, scenario, mover)
    # The doors really showed him: his record, his old registration, his transfer, his archive.
    assert {"record", "list", "registrations", "cases", "card pdf"} <= seen.keys(), seen.keys()
    assert "转出生" in seen["record"] and masked_number(mover) in seen["record"]
    assert masked_number(mover) in seen["card pdf"].replace(" ", "") or "转出生" in seen["card pdf"]
    for door, text in seen.items():
        leaked = [s for s in secrets_of(mover) if s in text]
        assert not leaked, (role, door, leaked)
    # The listing's page links name students by id, never by number.
    assert not re.search(r"(after|before)=G", seen["list"])


def test_the_school_named_in_a_draft_transfer_reads_the_g_number_masked(scenario):
    incoming, draft = scenario.students["incoming"], scenario.cases["draft"]
    client = Client()
    client.force_login(scenario.users["destination_school"])
    pages = {"case": client.get(reverse("wagtailsnippets_cases_case:edit", args=[draft.pk])),
             "cases": client.get(reverse("wagtailsnippets_cases_case:list")),
             "case export": client.get(reverse("wagtailsnippets_cases_case:list") + "?export=xlsx"),
             "record": client.get(reverse("wagtailsnippets_cases_student:inspect", args=[incoming.pk]))}
    assert all(p.status_code == 200 for p in pages.values()), {k: p.status_code for k, p in pages.items()}
    texts = {k: xlsx_text(p) if k.endswith("export") else p.content.decode() for k, p in pages.items()}
    assert "拟转生" in texts["case"] and masked_number(incoming) in texts["case"]
    for door, text in texts.items():
        assert not [s for s in secrets_of(incoming) if s in text], door


def test_the_holder_reads_the_whole_number_at_the_same_doors(scenario):
    mover = scenario.students["mover"]
    client = Client()
    client.force_login(scenario.users["new_school"])
    seen = read_everything(client, scenario, mover)
    for door in ("record", "list", "registrations", "student export", "registration export"):
        assert mover.registry_number in seen[door], door
    assert mover.id_number in seen["record"]


def test_the_archive_written_with_the_number_reads_masked_for_the_former_school(scenario):
    """The registration's archive entry was written "学籍号 G…" while 甲校 held the student; after
    the hand-over 甲校 still reads the entry (第十四条), with the number masked."""
    mover = scenario.students["mover"]
    entry = m.ArchiveEntry.objects.filter(student=mover, body__contains=mover.registry_number).first()
    assert entry is not None  # the attack needs an entry that holds the number
    client = Client()
    client.force_login(scenario.users["school"])
    page = client.get(reverse("wagtailsnippets_cases_archiveentry:inspect", args=[entry.pk]))
    assert page.status_code == 200 and masked_number(mover) in page.content.decode()
    assert mover.registry_number not in page.content.decode()
    query = """query($id: ID!) { archive(student: $id) { entries { edges { node { title body } } } } }"""
    for role, whole in (("school", False), ("new_school", True)):
        data = Api(scenario.users[role]).data(query, {"id": to_global_id("Student", mover.pk)})
        bodies = " ".join(e["node"]["body"] for e in data["archive"]["entries"]["edges"])
        assert (mover.registry_number in bodies) is whole, role
        assert whole or masked_number(mover) in bodies


STUDENT_FIELDS = "id name registryNumber idNumber"


def test_graphql_masks_the_g_number_at_the_root_and_in_every_nested_field(scenario):
    mover, transfer = scenario.students["mover"], scenario.cases["transfer"]
    query = f"""query($s: ID!, $c: ID!, $r: ID!) {{
      student: node(id: $s) {{ ... on Student {{ {STUDENT_FIELDS} }} }}
      case: node(id: $c) {{ ... on Case {{ student {{ {STUDENT_FIELDS} }} fields {{ label text }} }} }}
      registration: node(id: $r) {{ ... on Registration {{ student {{ {STUDENT_FIELDS} }} }} }}
      students(first: 50) {{ edges {{ cursor node {{ {STUDENT_FIELDS} }} }} pageInfo {{ endCursor }} }}
    }}"""
    old = m.Registration.objects.get(student=mover, school=scenario.schools["jia"])
    variables = {"s": to_global_id("Student", mover.pk), "c": to_global_id("Case", transfer.pk),
                 "r": to_global_id("Registration", old.pk)}
    for role in FORMER:
        body = Api(scenario.users[role])(query, variables)[1]
        assert "errors" not in body, body
        data = body["data"]
        assert data["student"]["registryNumber"] == masked_number(mover)
        assert data["case"]["student"]["registryNumber"] == masked_number(mover)
        assert data["registration"]["student"]["registryNumber"] == masked_number(mover)
        assert mover.name in str(data["students"])  # listed, masked
        import base64
        import json

        cursors = " ".join(base64.b64decode(e["cursor"]).decode() for e in data["students"]["edges"])
        text = json.dumps(body, ensure_ascii=False) + cursors
        assert not [s for s in secrets_of(mover) if s in text], role
    whole = Api(scenario.users["new_school"]).data(query, variables)
    assert whole["student"]["registryNumber"] == mover.registry_number


def test_a_j_or_l_number_embeds_no_id_and_stays_whole(scenario):
    school = scenario.schools["jia"]
    pupil = register_student(school=school, name="无证生", with_id=False, household_type="overseas").student
    assert pupil.registry_number[0] in "JL"
    assert access.mask("registry_number", pupil.registry_number) == pupil.registry_number
    assert access.mask("registry_number", "G620102201205010011") == "G6201**********0011"
    # a masked value masks to itself (doors may mask twice)
    assert access.mask("registry_number", access.mask("registry_number", "G620102201205010011")) == \
        "G6201**********0011"


# --- the search box: numbers find only the students the user holds ------------------------------
def listed(client, text):
    return client.get(reverse("wagtailsnippets_cases_student:list_results"), {"q": text}).content.decode()


@pytest.mark.parametrize("role", FORMER)
def test_a_non_holder_typing_an_id_number_learns_nothing(scenario, role):
    mover = scenario.students["mover"]
    client = Client()
    client.force_login(scenario.users[role])
    assert "转出生" in listed(client, "转出生")  # by name he is still listed (masked): 第十四条
    for text in (mover.id_number, mover.registry_number, mover.registry_number.lower(), mover.id_number[:14],
                 mover.registry_number[:10], mover.id_number[:6]):
        assert "转出生" not in listed(client, text), text
    # The same at the API's filters and its look-up by number.
    api = Api(scenario.users[role])
    for args in (f'registryNumber: "{mover.registry_number}"', f'idNumber: "{mover.id_number}"'):
        assert api.data(f"{{ students({args}) {{ edges {{ node {{ id }} }} }} }}")["students"]["edges"] == []
    assert api.data('query($n: String) { student(registryNumber: $n) { id } }',
                    {"n": mover.registry_number})["student"] is None


def test_the_destination_named_in_a_draft_cannot_confirm_an_id_number(scenario):
    incoming = scenario.students["incoming"]
    client = Client()
    client.force_login(scenario.users["destination_school"])
    for url in (reverse("wagtailsnippets_cases_student:list_results"), reverse("wagtailsnippets_cases_case:list")):
        assert "拟转生" in client.get(url, {"q": "拟转生"}).content.decode()  # by name: the case's subject
        for text in (incoming.id_number, incoming.registry_number, incoming.id_number[:12]):
            assert "拟转生" not in client.get(url, {"q": text}).content.decode(), (url, text)


def test_the_holder_finds_by_every_number(scenario):
    mover = scenario.students["mover"]
    client = Client()
    client.force_login(scenario.users["new_school"])
    for text in (mover.id_number, mover.registry_number, mover.id_number[:14], mover.registry_number[:10]):
        assert "转出生" in listed(client, text), text
    api = Api(scenario.users["new_school"])
    assert api.data('query($n: String) { student(registryNumber: $n) { name } }',
                    {"n": mover.registry_number})["student"]["name"] == "转出生"


def test_a_j_or_l_number_is_not_restricted_to_the_holder(scenario):
    """A J/L number embeds no ID number: it matches in whatever set the user sees (the former
    school finds its former pupil by it), as a name does; a G number only among held students."""
    from cases.search import student_search_filter

    pupil = register_student(school=scenario.schools["jia"], name="无证生", with_id=False,
                             household_type="overseas").student
    mover = scenario.students["mover"]
    stranger = scenario.users["destination_school"]  # 乙校 holds neither
    assert m.Student.objects.filter(student_search_filter(pupil.registry_number, user=stranger)).get() == pupil
    assert not m.Student.objects.filter(student_search_filter(mover.registry_number, user=stranger)).exists()
    assert m.Student.objects.filter(student_search_filter(mover.registry_number,
                                                          user=scenario.users["new_school"])).get() == mover


def test_a_number_search_of_someone_not_held_costs_what_a_number_of_nobody_costs(scenario):
    """No side channel: the ID number of a student the user reads but does not hold answers with
    the same queries as an ID number of nobody (and the same empty page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mover = scenario.students["mover"]
    client = Client()
    client.force_login(scenario.users["school"])
    listed(client, "在读生")
    counts, pages = [], []
    for text in (mover.id_number, "62010219990101001X", mover.registry_number, "G62010219990101001X"):
        with CaptureQueriesContext(connection) as captured:
            pages.append(listed(client, text).replace(text, ""))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
    assert pages[0] == pages[1] and pages[2] == pages[3]


def test_a_case_history_entry_written_with_a_g_number_reads_masked(scenario):
    """A case's history is read by both its sides; an entry that names a student by G number
    (a duplicate decision of an intake recorded the match's number) shows it masked."""
    from cases.audit import audit

    draft, mover = scenario.cases["draft"], scenario.students["mover"]
    audit(draft, "xueji.duplicate.decide", acting_user=None,
          data={"row": 3, "existing": mover.registry_number, "verdict": "different"})
    query = 'query($id: ID!) { case(id: $id) { history { label data } } }'
    data = Api(scenario.users["destination_school"]).data(query, {"id": to_global_id("Case", draft.pk)})
    text = str(data)
    assert masked_number(mover) in text and mover.registry_number not in text
