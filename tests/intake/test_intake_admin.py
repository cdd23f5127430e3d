"""The intake page and the duplicate workbench in the admin: side by side, decided by the
registrar, seen by the authority above, hidden from everyone else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from tests.case_types.helpers import open_case
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user

from .helpers import pupil, upload_file, workbook_bytes


@pytest.fixture
def setup(world, chengguan, qilihe):
    school = SchoolFactory(county=chengguan, category="0", name="城关区第一小学")
    existing = register_student(school=SchoolFactory(county=chengguan, category="0", name="城关区第二小学"),
                                stage="primary", name="张伟", gender="M", birth_date=datetime.date(2019, 6, 1),
                                with_id=False)
    m.Guardian.objects.create(student=existing.student, name="张大山", relation="父亲")
    admitted = timezone.localdate() - datetime.timedelta(days=3)
    intake_class = SchoolClassFactory(school=school, stage="primary", cohort=m.school_year_of(admitted))
    case, registrar = open_case(world, case_type="registration", school=school, stage="primary",
                                effective_on=admitted, details={"school_class": intake_class.pk})
    return {"case": case, "registrar": registrar, "existing": existing.student,
            "county": staff_user(chengguan, role="reviewer"), "other": staff_user(qilihe, role="reviewer")}


def test_workbench_shows_both_records_and_records_the_decision_for_the_authority(client, setup):
    case, existing = setup["case"], setup["existing"]
    client.force_login(setup["registrar"])
    rows = [pupil("李明"), pupil("张玮", with_id=False, household_type="无户籍", birth="2019-06-01",
                               guardian1_name="张小河", guardian1_relation="母亲")]
    response = client.post(reverse("xueji_intake_upload", args=[case.pk]),
                           {"file": upload_file(workbook_bytes(rows))}, follow=True)
    body = response.content.decode()
    assert "待裁定 1 行" in body
    for text in ("张玮", "张伟", "zhangwei", "母亲 张小河", "父亲 张大山", "城关区第二小学(在籍在读)",
                 existing.registry_number, "2019年6月1日"):
        assert text in body, text
    upload = case.intake_uploads.get()
    assert client.get(reverse("xueji_intake_result", args=[upload.pk])).status_code == 200

    # Another county sees neither the page, the result, nor the decisions.
    client.force_login(setup["other"])
    assert client.get(reverse("xueji_intake", args=[case.pk])).status_code == 404
    assert client.get(reverse("xueji_intake_result", args=[upload.pk])).status_code == 404
    response = client.post(reverse("xueji_intake_decide", args=[upload.pk]),
                           {"row": 3, "existing": existing.pk, "verdict": "different", "reason": "x"})
    assert response.status_code == 404 and not m.DuplicateDecision.objects.exists()

    client.force_login(setup["registrar"])
    response = client.post(reverse("xueji_intake_decide", args=[upload.pk]),
                           {"row": 3, "existing": existing.pk, "verdict": "different", "reason": "监护人不同,非同一人"},
                           follow=True)
    assert "已记录查重裁定" in response.content.decode()
    case.refresh_from_db()
    assert len(case.details["people"]) == 2

    client.force_login(setup["county"])
    body = client.get(reverse("xueji_duplicate_decisions")).content.decode()
    assert "监护人不同,非同一人" in body and "不同人" in body
    client.force_login(setup["other"])
    assert "监护人不同" not in client.get(reverse("xueji_duplicate_decisions")).content.decode()


def test_the_workbench_shows_a_match_held_elsewhere_with_its_numbers_masked(client, world, chengguan, qilihe):
    """The duplicate check spans the province (第十一条): the attack is a homophone row that
    matches another school's pupil, to read that pupil's ID number (or his G registry number,
    "G" + the ID number) off the side-by-side view. Both show masked; the name, birth date and
    school — what the registrar decides on — show whole."""
    from cases.access import mask

    from cases.services.certificates import chinese_date
    from tests.factories import id_number_for

    id_number, birth = id_number_for(datetime.date(2019, 6, 1), "M", area="620103")
    other = register_student(school=SchoolFactory(county=qilihe, category="0", name="七里河区第一小学"),
                             stage="primary", name="张伟", gender="M", birth_date=birth, id_number=id_number).student
    assert other.registry_number.startswith("G")
    school = SchoolFactory(county=chengguan, category="0", name="城关区第一小学")
    admitted = timezone.localdate() - datetime.timedelta(days=3)
    intake_class = SchoolClassFactory(school=school, stage="primary", cohort=m.school_year_of(admitted))
    case, registrar = open_case(world, case_type="registration", school=school, stage="primary",
                                effective_on=admitted, details={"school_class": intake_class.pk})
    client.force_login(registrar)
    rows = [pupil("张玮", with_id=False, household_type="无户籍", birth=birth.isoformat())]
    body = client.post(reverse("xueji_intake_upload", args=[case.pk]), {"file": upload_file(workbook_bytes(rows))},
                       follow=True).content.decode()
    assert "张伟" in body and chinese_date(birth) in body and "七里河区第一小学" in body
    assert mask("registry_number", other.registry_number) in body
    for secret in (other.registry_number, other.id_number):
        assert secret not in body
    result = client.get(reverse("xueji_intake_result", args=[case.intake_uploads.get().pk]))
    content = b"".join(result.streaming_content) if result.streaming else result.content
    from openpyxl import load_workbook
    import io

    cells = " ".join(str(c) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
                     for c in row if c is not None)
    assert "张伟" in cells and other.registry_number not in cells and other.id_number not in cells


def test_only_the_editing_side_is_offered_an_import_on_the_case_page(client, setup):
    """Seen in chromium: the county approving an intake was offered 'Excel 导入新生名单' on the case
    page; approvers only read the uploads and the duplicate decisions."""
    case = setup["case"]
    url = reverse("wagtailsnippets_cases_case:edit", args=[case.pk])
    client.force_login(setup["registrar"])
    assert "Excel 导入新生名单" in client.get(url).content.decode()
    client.force_login(setup["county"])
    body = client.get(url).content.decode()
    assert "Excel 导入新生名单" not in body and "查看 Excel 导入记录与查重裁定" in body
