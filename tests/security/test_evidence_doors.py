"""Evidence is served only through its case: every stock Wagtail door to documents is tried
as an attacker would (the serve URL, the documents listing, chooser, edit/replace, delete, a
default group's collection rights) and refused, and the file is never replaced."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, GroupCollectionPermission

from cases import models as m
from tests.case_types.helpers import PDF
from tests.factories import staff_user

from .scenario import build



@pytest.fixture
def scenario(db):
    return build()


@pytest.fixture
def evidence(scenario):
    return m.Evidence.objects.select_related("document").get(case=scenario.cases["draft"])


def editors_group():
    """Wagtail's default Editors group with document rights on the public collection (migration
    0017 moves them there; created here if this database was built without Wagtail's defaults)."""
    group, _ = Group.objects.get_or_create(name="Editors")
    public = Collection.objects.get(name="公开文件")
    for codename in ("add_document", "change_document", "choose_document"):
        permission = Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=public, permission=permission)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    return group


@pytest.fixture
def editor(db):
    user = staff_user(m.Jurisdiction.objects.get(code="62"), role=m.Role.REVIEWER)
    user.groups.add(editors_group())
    return user


def test_stock_serve_url_never_serves_evidence(scenario, evidence, client):
    stock = reverse("wagtaildocs_serve", args=[evidence.document.pk, evidence.document.filename])
    through_case = reverse("graphql_document", args=[evidence.document.pk])
    for role in ("new_school", "superuser", "other_county", "school"):
        client.force_login(scenario.users[role])
        assert client.get(stock).status_code == 404
    client.logout()
    assert client.get(stock).status_code == 404
    # Through its case: the case's side reads it, another county gets the 404 of a missing file.
    client.force_login(scenario.users["new_school"])
    assert client.get(through_case).status_code == 200
    for role in ("school",):  # 甲校: not a side of the case (秦州 supervises 丙校 and reads it)
        client.force_login(scenario.users[role])
        assert client.get(through_case).status_code == 404


def test_documents_listing_and_chooser_never_show_evidence(scenario, evidence, editor, client):
    public = get_document_model().objects.create(title="公开通知附件", file=SimpleUploadedFile("n.pdf", PDF),
                                                 collection=Collection.objects.get(name="公开文件"))
    for user in (editor, scenario.users["superuser"]):
        client.force_login(user)
        for url in (reverse("wagtaildocs:index"), reverse("wagtaildocs_chooser:choose"),
                    reverse("wagtaildocs:index") + "?q=户口簿"):
            body = client.get(url).content.decode()
            assert evidence.document.title not in body and "证明材料" not in body.replace("证明材料和档案", "")
        assert public.title in client.get(reverse("wagtaildocs:index")).content.decode()
        # Evidence answers exactly like a missing document (never a hint that it exists).
        chosen = client.get(reverse("wagtaildocs_chooser:chosen", args=[evidence.document.pk]))
        missing = client.get(reverse("wagtaildocs_chooser:chosen", args=[987654321]))
        assert chosen.status_code == missing.status_code in (302, 403, 404)
        assert evidence.document.title not in chosen.content.decode()
        assert client.get(reverse("wagtaildocs_chooser:chosen", args=[public.pk])).status_code == 200
    assert client.get("/api/v2/documents/").status_code == 404  # no admin/public API is mounted


def test_evidence_file_can_be_neither_replaced_nor_deleted(scenario, evidence, client):
    document = evidence.document
    original = document.file.name
    client.force_login(scenario.users["superuser"])
    edit = reverse("wagtaildocs:edit", args=[document.pk])
    assert client.get(edit).status_code in (302, 403, 404)
    response = client.post(edit, {"title": "替换", "file": SimpleUploadedFile("x.pdf", PDF + b"forged"),
                                  "collection": document.collection_id})
    assert response.status_code in (302, 403, 404)
    response = client.post(reverse("wagtaildocs:delete", args=[document.pk]))
    assert response.status_code in (302, 403, 404)
    document.refresh_from_db()
    assert document.file.name == original
    # Below the views too: a replaced file or a delete is refused by the model's guard.
    document.file = SimpleUploadedFile("y.pdf", PDF + b"forged")
    with pytest.raises(PermissionDenied):
        document.save()
    with pytest.raises((PermissionDenied, ProtectedError)):
        get_document_model().objects.get(pk=document.pk).delete()
    assert get_document_model().objects.get(pk=document.pk).file.name == original


def test_default_groups_hold_no_rights_over_evidence_collections(scenario, evidence):
    root = Collection.get_first_root_node()
    editors_group()
    for name in ("Editors",):
        grants = GroupCollectionPermission.objects.filter(group__name=name,
                                                          permission__content_type__app_label="wagtaildocs")
        assert grants.exists() and not grants.filter(collection=root).exists()
        assert not grants.filter(collection__path__startswith=evidence.document.collection.path[:8]).exclude(
            collection__name="公开文件").exists()
    # A grant over the root (which reaches evidence) or over an evidence collection is undone.
    change = Permission.objects.get(content_type__app_label="wagtaildocs", codename="change_document")
    editors = Group.objects.get(name="Editors")
    for collection in (root, evidence.document.collection):
        GroupCollectionPermission.objects.create(group=editors, collection=collection, permission=change)
        assert not GroupCollectionPermission.objects.filter(group=editors, collection=collection).exists()


# --- 第三十八条: fetching evidence is a read of the student's record --------------------------------
def test_an_evidence_download_is_a_logged_read_and_a_refused_one_logs_and_leaks_nothing(scenario, evidence, client):
    draft, incoming = scenario.cases["draft"], scenario.students["incoming"]
    url = reverse("graphql_document", args=[evidence.document.pk])
    reader = scenario.users["destination_school"]  # 乙校, named in the draft: a side of the case
    client.force_login(reader)
    assert url in client.get(reverse("wagtailsnippets_cases_case:edit", args=[draft.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    entry = m.ReadLogEntry.objects.get(user=reader)
    assert (entry.student_id, entry.door, entry.username) == (incoming.pk, m.ReadDoor.DOCUMENT, reader.username)
    assert draft.number in entry.what and "丙校拟转生户口簿" in entry.what
    # Refused: 甲校 is no side of the draft (and 城关's county reads it only as 乙校's authority);
    # nobody signed in. Each gets exactly the answer for a missing file, and nothing is logged.
    before = m.ReadLogEntry.objects.count()
    missing_url = reverse("graphql_document", args=[987654321])
    for role in ("school", None):
        if role:
            client.force_login(scenario.users[role])
        else:
            client.logout()
        refused, missing = client.get(url), client.get(missing_url)
        assert refused.status_code == missing.status_code == 404, role
        assert refused.content == missing.content and "户口簿".encode() not in refused.content
    assert m.ReadLogEntry.objects.count() == before


def test_an_api_token_download_is_logged_through_the_same_door(scenario, evidence):
    from tests.graphql.kit import Api

    api = Api(scenario.users["new_school"], token=True)
    response = api.client.get(reverse("graphql_document", args=[evidence.document.pk]),
                              HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 200
    assert m.ReadLogEntry.objects.filter(user=scenario.users["new_school"], door=m.ReadDoor.DOCUMENT,
                                         student=scenario.students["incoming"]).count() == 1


def test_every_stock_document_url_answers_evidence_like_a_missing_document(scenario, evidence, editor, client):
    """Generated from the URL resolver: every Wagtail document route taking a document id (edit,
    delete, the multiple-upload editor and deleter, usage…) and the document bulk actions, GET and
    POST, as a superuser and as a member of Wagtail's Editors group: evidence answers exactly as
    a missing id does, its title never shows, and the file stays as it was."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "wagtaildocs" and pattern.name:
                kwargs = list(pattern.pattern.regex.groupindex)
                if len(kwargs) == 1 and kwargs[0] in ("document_id", "doc_id"):
                    routes.append((f"wagtaildocs:{pattern.name}", kwargs[0]))

    walk(get_resolver().url_patterns, None)
    assert {"wagtaildocs:edit", "wagtaildocs:delete", "wagtaildocs:document_usage"} <= {r for r, _ in routes}
    document, missing = evidence.document, 987654321
    original = (document.title, document.file.name, document.collection_id)
    for user in (scenario.users["superuser"], editor):
        client.force_login(user)
        for name, kwarg in routes:
            for method in (client.get, client.post):
                answer = method(reverse(name, kwargs={kwarg: document.pk}), {"title": "替换"})
                expected = method(reverse(name, kwargs={kwarg: missing}), {"title": "替换"})
                assert answer.status_code == expected.status_code, (name, method.__name__, answer.status_code)
                assert document.title.encode() not in answer.content, name
        for action in ("delete", "add_to_collection", "add_tags"):
            url = f"/admin/bulk/wagtaildocs/document/{action}/?next=/admin/documents/&id="
            for method in (client.get, client.post):
                answer = method(url + str(document.pk), {"collection": 1, "tags": "x"})
                expected = method(url + str(missing), {"collection": 1, "tags": "x"})
                assert answer.status_code == expected.status_code == 404, (action, answer.status_code)
                assert document.title.encode() not in answer.content, action
    document.refresh_from_db()
    assert (document.title, document.file.name, document.collection_id) == original
    assert not document.tags.exists()
