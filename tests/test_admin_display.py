"""The admin reads in Chinese: no Python True/False/None on a student's page."""

import pytest
from django.urls import reverse

from tests.case_types.helpers import World
from tests.factories import register_student


@pytest.mark.django_db
def test_student_page_reads_in_chinese(client):
    registration = register_student(name="张思霞", gender="F", is_migrant=True)
    client.force_login(World().school_user(registration.school))
    page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[registration.student_id])).content.decode()
    assert "张思霞" in page and "在籍在读" in page and "学籍辅号" in page
    assert "是" in page and "否" in page
    assert ">True<" not in page.replace(" ", "").replace("\n", "") and ">False<" not in page.replace(" ", "").replace("\n", "")


@pytest.mark.django_db
def test_student_page_lists_certificates_with_their_pdf(client):
    from cases.services.certificates import certificate_issue

    registration = register_student(name="李华")
    certificate = certificate_issue(acting_user=None, kind="student_card", student=registration.student)
    client.force_login(World().school_user(registration.school))
    page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[registration.student_id])).content.decode()
    assert certificate.serial in page and reverse("xueji_certificate_pdf", args=[certificate.pk]) in page
