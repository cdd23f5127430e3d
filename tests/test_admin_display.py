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


ISO_DATE = r"\b20\d\d-\d\d-\d\d\b"


@pytest.mark.django_db
def test_registration_and_student_pages_read_dates_as_2026年3月2日_and_people_by_name(client):
    """Seen in chromium: the registration's history and numbers and the student's certificates
    showed dates as 2026-03-02 and the recorder by login name."""
    import datetime
    import re

    from cases.services.certificates import certificate_issue
    from cases.services.registrations import registration_change_status
    from tests.factories import staff_user

    registration = register_student(name="李华")
    registrar = staff_user(registration.school, username="li-login")
    registration_change_status(acting_user=registrar, registration=registration, status="suspended",
                               occurred_on=datetime.date(2026, 3, 2), reason="因病休学")
    certificate_issue(acting_user=None, kind="student_card", student=registration.student)
    client.force_login(registrar)
    page = client.get(reverse("wagtailsnippets_cases_registration:inspect", args=[registration.pk])).content.decode()
    history = page.split("变动记录", 1)[1].split("学籍辅号", 1)[0]
    assert "2026年3月2日" in history and "测试人员" in history and "li-login" not in history
    assert not re.search(ISO_DATE, page.split("<main", 1)[-1])
    page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[registration.student_id])).content.decode()
    assert not re.search(ISO_DATE, page.split("<main", 1)[-1])


@pytest.mark.django_db
def test_oversight_units_stay_on_one_line(client, gansu):
    """Seen in chromium: with a dozen checks the 单位 column of 学期学籍复核 was squeezed to one
    character per line (甘/肃/省/直/属…); the names keep one line and the table scrolls."""
    from tests.factories import staff_user

    register_student(name="无证生", with_id=False)  # a row to report: 缺少公民身份号码
    client.force_login(staff_user(gansu, role="reviewer"))
    page = client.get(reverse("xueji_oversight") + "?report=recheck").content.decode()
    assert 'style="overflow-x:auto"' in page
    assert page.count('<td style="white-space:nowrap" data-testid="unit">') == 1  # 兰州市


@pytest.mark.django_db
def test_record_pages_never_show_the_database_id(client):
    """Seen in chromium: 查看 pages of a school, a class and an archive entry began with "ID 1"."""
    import re

    from cases.services.archives import archive_entry_append
    from tests.factories import SchoolClassFactory

    registration = register_student(school_class=SchoolClassFactory(), name="王芳")
    registrar = World().school_user(registration.school)
    entry = archive_entry_append(acting_user=registrar, student=registration.student, kind="award",
                                 title="三好学生", school=registration.school)
    client.force_login(registrar)
    for name, pk in (("school", registration.school_id), ("schoolclass", registration.school_class_id),
                     ("archiveentry", entry.pk)):
        response = client.get(reverse(f"wagtailsnippets_cases_{name}:inspect", args=[pk]))
        assert response.status_code == 200, name
        assert not re.search(r">\s*ID\s*<", response.content.decode()), name



@pytest.mark.django_db
def test_workflow_mail_is_not_copied_to_every_superuser(django_user_model, mailoutbox):
    """Seen in the demo's mail: the operator's superuser received every case's workflow mail; the
    mail goes to those who act on the case, whose addresses stay as before."""
    from cases.services.cases import case_submit
    from tests.case_types.helpers import open_case
    from tests.factories import SchoolClassFactory

    django_user_model.objects.create(username="root", email="root@example.cn", is_superuser=True, is_staff=True)
    registration = register_student(school_class=SchoolClassFactory(stage="junior", cohort=2024), stage="junior",
                                    name="周小舟")
    case, registrar = open_case(World(), case_type="study_abroad", school=registration.school,
                                student=registration.student, evidence=["valid_documents"],
                                details={"destination": "新加坡 某中学"})
    case_submit(acting_user=registrar, case=case)
    assert all("root@example.cn" not in message.to for message in mailoutbox)
