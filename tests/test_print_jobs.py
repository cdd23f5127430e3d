"""Batch printing: a full graduation roll through the background task, and the read-only admin
of print jobs with a scoped download of the merged PDF."""

import datetime
import io
import itertools

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.models import CertificateKind, Jurisdiction, PrintJob, PrintJobStatus, Registration
from cases.services.certificates import certificate_issue
from cases.access import print_jobs_visible
from cases.services.print_jobs import print_job_create
from cases.services.registrations import registration_change_status
from cases.services.students import NewStudent, students_register
from tests.factories import PASSWORD, SchoolClassFactory, SchoolFactory, id_number_for, staff_user

pytestmark = pytest.mark.django_db

GIVEN = "明华建国丽娟强伟芳敏静磊洋勇艳杰涛军"


def graduates(school, count):
    """``count`` graduated students of one class, registered as one intake (one code path)."""
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2023)
    people = []
    for i, (a, b) in zip(range(count), itertools.product(GIVEN, repeat=2)):
        id_number, birth_date = id_number_for(datetime.date(2011, 3, 1), "M")
        people.append(NewStudent(data={"name": f"王{a}{b}", "gender": "M", "birth_date": birth_date,
                                       "id_number": id_number}, school_class=school_class))
    registrations = students_register(acting_user=None, school=school, stage="junior",
                                      started_on=datetime.date(2023, 9, 1), people=people)
    for registration in registrations:
        registration_change_status(acting_user=None, registration=registration, status="graduated",
                                   occurred_on=datetime.date(2026, 7, 1), reason="毕业")
    return [r.student for r in registrations]


def diplomas(school, count):
    return [certificate_issue(acting_user=None, kind=CertificateKind.DIPLOMA, student=s) for s in graduates(school, count)]


def run_job(user, certificates, capture):
    with capture(execute=True):
        job = print_job_create(acting_user=user, certificates=certificates)
    return PrintJob.objects.get(pk=job.pk)


@pytest.fixture
def school(db):
    return SchoolFactory(category="1", name="城关区第一初级中学")


def test_a_200_student_graduation_roll_prints_to_100_percent(school, django_capture_on_commit_callbacks):
    certificates = diplomas(school, 200)
    assert Registration.objects.filter(school=school, status="graduated").count() == 200
    job = run_job(staff_user(school), certificates, django_capture_on_commit_callbacks)
    assert job.status == PrintJobStatus.DONE and job.done == job.total == 200 and not job.error
    assert job.finished_at is not None
    reader = PdfReader(io.BytesIO(job.pdf.read()))
    assert len(reader.pages) >= 200


@pytest.fixture
def jobs(school, django_capture_on_commit_callbacks):
    other = SchoolFactory(category="1", name="秦州区第二中学", county=Jurisdiction.objects.get(code="620502"))
    creator = staff_user(school)
    ours = run_job(creator, diplomas(school, 2), django_capture_on_commit_callbacks)
    theirs = run_job(None, diplomas(other, 1), django_capture_on_commit_callbacks)
    return creator, ours, theirs


def listing_url():
    return reverse("wagtailsnippets_cases_printjob:list")


def pdf_url(job):
    return reverse("wagtailsnippets_cases_printjob:pdf", args=[job.pk])


def test_the_admin_lists_jobs_in_scope_with_progress_and_no_way_to_change_them(client, school, jobs):
    creator, ours, theirs = jobs
    client.login(username=creator.username, password=PASSWORD)
    response = client.get(listing_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "2/2(100%)" in html and "已完成" in html and pdf_url(ours) in html
    assert pdf_url(theirs) not in html and "1/1(100%)" not in html
    assert "wagtailsnippets_cases_printjob:add" not in html and "/add/" not in html.split("<main", 1)[-1]
    inspect = reverse("wagtailsnippets_cases_printjob:inspect", args=[ours.pk])
    assert client.get(inspect).status_code == 200
    assert client.get(reverse("wagtailsnippets_cases_printjob:inspect", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("wagtailsnippets_cases_printjob:edit", args=[ours.pk])).status_code in (302, 403)
    assert client.get(reverse("wagtailsnippets_cases_printjob:add")).status_code in (302, 403)
    assert client.post(reverse("wagtailsnippets_cases_printjob:delete", args=[ours.pk])).status_code in (302, 403)
    assert PrintJob.objects.filter(pk=ours.pk).exists()


def test_the_merged_pdf_downloads_for_the_creator_and_users_in_scope_and_404_otherwise(client, school, jobs):
    creator, ours, theirs = jobs
    client.login(username=creator.username, password=PASSWORD)
    response = client.get(pdf_url(ours))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(pdf_url(theirs)).status_code == 404
    assert client.get(reverse("wagtailsnippets_cases_printjob:pdf", args=[theirs.pk + 999])).status_code == 404

    county = staff_user(Jurisdiction.objects.get(code="620102"))  # the school's county: in scope
    client.login(username=county.username, password=PASSWORD)
    assert client.get(pdf_url(ours)).status_code == 200
    assert client.get(pdf_url(theirs)).status_code == 404

    for outsider in (staff_user(SchoolFactory(category="1", name="别的学校")),
                     staff_user(Jurisdiction.objects.get(code="620502"))):
        client.login(username=outsider.username, password=PASSWORD)
        assert client.get(pdf_url(ours)).status_code == 404
        assert str(ours.pk) not in [str(pk) for pk in print_jobs_visible(outsider).values_list("pk", flat=True)]
    client.logout()
    assert client.get(pdf_url(ours)).status_code == 302  # to the login page


def test_a_job_with_one_student_out_of_scope_is_not_visible_to_that_scope(school, jobs):
    creator, ours, theirs = jobs
    ours.certificates.add(*theirs.certificates.all())
    county = staff_user(Jurisdiction.objects.get(code="620102"))
    assert not print_jobs_visible(county).filter(pk=ours.pk).exists()
    assert print_jobs_visible(creator).filter(pk=ours.pk).exists()  # the creator still sees it
