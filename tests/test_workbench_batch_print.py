"""批量打印 from a class and from a graduation roll: the job runs in the background, its page
shows the progress and the merged PDF; scope and issuing rules hold."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Certificate, Jurisdiction, PrintJob, PrintJobStatus, Role
from cases.services.cases import case_create
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(category="1", name="城关区第一初级中学")


@pytest.fixture
def graduates(school):
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2023, class_name="1班")
    registrations = [register_student(school_class=school_class, name=f"毕业生{i}") for i in range(3)]
    for r in registrations:
        registration_change_status(acting_user=None, registration=r, status="graduated",
                                   occurred_on=datetime.date(2026, 7, 1), reason="毕业")
    return school_class, registrations


def test_county_prints_a_class_issuing_missing_diplomas(client, school, graduates, django_capture_on_commit_callbacks):
    school_class, registrations = graduates
    county = staff_user(Jurisdiction.objects.get(code="620102"), role=Role.REVIEWER)
    client.force_login(county)
    url = reverse("xueji_print_class", args=[school_class.pk])
    assert "开始打印" in client.get(url).content.decode()
    page = client.post(url, {"kind": "diploma"}).content.decode()
    assert "没有已签发的毕业证书可打印" in page and not PrintJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "diploma", "issue_missing": "on"})
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    assert (job.status, job.total, job.done) == (PrintJobStatus.DONE, 3, 3)
    assert Certificate.objects.filter(kind="diploma").count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "3 / 3" in page and "下载合并文件" in page


def test_a_school_cannot_issue_diplomas_and_prints_nothing(client, school, graduates):
    school_class, _ = graduates
    client.force_login(staff_user(school))
    page = client.post(reverse("xueji_print_class", args=[school_class.pk]),
                       {"kind": "diploma", "issue_missing": "on"}).content.decode()
    assert "须由县级学籍主管部门签发" in page
    assert not Certificate.objects.exists() and not PrintJob.objects.exists()


def test_roll_print_and_scope(client, school, graduates, django_capture_on_commit_callbacks):
    _, registrations = graduates
    registrar = staff_user(school)
    case = case_create(acting_user=registrar, case_type="graduation", school=school, stage="junior",
                       effective_on=datetime.date(2026, 7, 1), details={"graduates": [r.pk for r in registrations]})
    county = staff_user(Jurisdiction.objects.get(code="620102"), role=Role.REVIEWER)
    client.force_login(county)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("xueji_print_roll", args=[case.pk]), {"kind": "diploma", "issue_missing": "on"})
    assert PrintJob.objects.get().total == 3
    other = staff_user(SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502")))
    client.force_login(other)
    assert client.get(reverse("xueji_print_roll", args=[case.pk])).status_code == 404
    assert client.get(reverse("xueji_print_class", args=[registrations[0].school_class_id])).status_code == 404
