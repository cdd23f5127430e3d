"""Issuing and revoking certificates from the student's page in the admin."""

import pytest
from django.urls import reverse

from cases.models import Certificate, Jurisdiction, Role
from tests.case_types.helpers import World
from tests.factories import register_student

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def setting(db):
    world = World()
    return world, register_student(name="李华")


def issue(client, student_id, kind):
    return client.post(reverse("xueji_certificate_issue", args=[student_id]), {"kind": kind}, follow=True)


def test_county_issues_a_student_card_and_the_page_lists_it(client, setting):
    world, registration = setting
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="620102")))
    page = issue(client, registration.student_id, "student_card").content.decode()
    certificate = Certificate.objects.get(student=registration.student)
    assert "已签发" in page and certificate.serial in page
    assert reverse("xueji_certificate_pdf", args=[certificate.pk]) in page


def test_a_diploma_needs_a_graduated_registration_and_nothing_is_issued(client, setting):
    world, registration = setting
    client.force_login(world.school_user(registration.school))
    page = issue(client, registration.student_id, "diploma").content.decode()
    assert not Certificate.objects.exists() and "已签发" not in page


def test_a_school_issues_its_own_forms_but_not_student_cards(client, setting):
    world, registration = setting
    client.force_login(world.school_user(registration.school))
    page = issue(client, registration.student_id, "student_card").content.decode()
    assert "须由县级学籍主管部门签发" in page and not Certificate.objects.exists()
    issue(client, registration.student_id, "archive_dossier")
    assert Certificate.objects.get().kind == "archive_dossier"


def test_out_of_scope_issue_and_revoke_answer_404(client, setting):
    world, registration = setting
    client.force_login(world.school_user(registration.school))
    issue(client, registration.student_id, "archive_dossier")
    certificate = Certificate.objects.get()
    outsider = world.authority_user(Jurisdiction.objects.get(code="620103"), Role.HEAD)
    client.force_login(outsider)
    assert client.post(reverse("xueji_certificate_issue", args=[registration.student_id]),
                       {"kind": "student_card"}).status_code == 404
    assert client.post(reverse("xueji_certificate_revoke", args=[certificate.pk]), {"reason": "伪造"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and Certificate.objects.count() == 1


def test_only_an_authority_revokes_and_a_reason_is_required(client, setting):
    world, registration = setting
    school_user = world.school_user(registration.school)
    client.force_login(school_user)
    issue(client, registration.student_id, "archive_dossier")
    certificate = Certificate.objects.get()
    revoke = reverse("xueji_certificate_revoke", args=[certificate.pk])
    assert client.post(revoke, {"reason": "遗失"}, **XHR).status_code == 403
    county = world.authority_user(Jurisdiction.objects.get(code="620102"), Role.HEAD)
    client.force_login(county)
    client.post(revoke, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.post(revoke, {"reason": "信息有误,重新签发"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoke_reason == "信息有误,重新签发"


def test_inspect_names_the_issuer_and_shows_no_none(client, setting):
    """The certificate's 查看 page (RegistryInspectView): the issuer by real name, not a login,
    and an empty 作废 date as —, never Python's None."""
    world, registration = setting
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    county.first_name = "张建国"
    county.save(update_fields=["first_name"])
    client.force_login(county)
    issue(client, registration.student_id, "student_card")
    certificate = Certificate.objects.get()
    page = client.get(reverse("wagtailsnippets_cases_certificate:inspect", args=[certificate.pk])).content.decode()
    assert certificate.serial in page and "张建国" in page
    from tests.test_admin_chinese import english_in

    assert english_in(page)[0] == []  # None, False, a login name would each be an ASCII word
