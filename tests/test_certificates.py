"""Certificates: issue, render (text, fonts, QR), revoke, reprint log, scoped download."""

import datetime
import io
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied

from cases.certificate_context import qr_for
from cases.errors import RuleError
from cases.models import (
    ArchiveEntry,
    Certificate,
    CertificateKind,
    CertificatePrint,
    Jurisdiction,
    RegistryLogEntry,
)
from cases.services.certificates import (
    certificate_issue,
    certificate_render_pdf,
    certificate_revoke,
    check_code_for,
    verification_url,
)
from cases.services.registrations import registration_change_status
from tests.case_types.helpers import World, open_case
from tests.factories import (
    PASSWORD,
    SchoolClassFactory,
    SchoolFactory,
    register_student,
    staff_user,
)

K = CertificateKind
STATUS_FOR = {
    K.SUSPENSION: "suspended", K.DIPLOMA: "graduated", K.GRADUATION_ATTESTATION: "graduated",
    K.COMPULSORY_COMPLETION: "graduated", K.COMPLETION: "completed", K.QUALIFICATION: "completed",
}
# Text every kind's PDF must give back (whitespace removed: the heading is letter-spaced).
EXPECTED_TEXT = {
    K.TRANSFER: ["甘肃省中小学生转学证明", "转入学校意见", "转出学校意见", "转出学校学籍主管部门意见",
                 "转入学校学籍主管部门意见", "秦州区第二中学", "随父母迁居或务工"],
    K.SUSPENSION: ["休学证明", "保留学籍"],
    K.STUDENT_CARD: ["学生证", "城关区"],
    K.DIPLOMA: ["毕业证书", "准予毕业"],
    K.COMPLETION: ["结业证书", "准予结业"],
    K.QUALIFICATION: ["合格证书", "补考合格"],
    K.COMPULSORY_COMPLETION: ["义务教育完成证书", "义务教育"],
    K.GRADUATION_ATTESTATION: ["毕业证明书", "遗失不补发"],
    K.ARCHIVE_DOSSIER: ["学籍档案", "学籍及变动记录", "档案条目", "新生注册"],
}


@pytest.fixture
def school(db):
    return SchoolFactory(category="1", name="城关区第一初级中学")


def student_for(kind, school, name="王小明"):
    registration = register_student(school_class=SchoolClassFactory(school=school, cohort=2024), name=name)
    if kind in STATUS_FOR:
        registration_change_status(acting_user=None, registration=registration, status=STATUS_FOR[kind],
                                   occurred_on=datetime.date(2026, 3, 2), reason="测试")
    return registration.student


def issue(kind, school, user=None, **extra):
    student = student_for(kind, school)
    case = None
    if kind == K.TRANSFER:
        destination = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"), name="秦州区第二中学")
        target = SchoolClassFactory(school=destination, cohort=2024, class_name="6班")
        case, _ = open_case(World(), case_type="transfer", school=school, student=student, transfer_scope="within",
                            destination_school=destination, reason="relocation",
                            details={"destination_class": target.pk})
    return certificate_issue(acting_user=user, kind=kind, student=student, case=case)


def pdf_text(pdf, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode()), path


@pytest.mark.parametrize("kind", list(K))
def test_every_kind_renders_chinese_text_with_the_cjk_font_embedded(kind, school, tmp_path):
    certificate = issue(kind, school)
    pdf = certificate_render_pdf(acting_user=None, certificate=certificate)
    assert pdf.startswith(b"%PDF")
    text, path = pdf_text(pdf, tmp_path)
    for expected in [*EXPECTED_TEXT[kind], "王小明", certificate.serial, certificate.check_code]:
        assert expected in text, expected
    if kind == K.TRANSFER:  # the case's declared fields, as the case page shows them
        assert "转入班级" in text and "2024级6班" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("WenQuanYi" in row[0] for row in rows), fonts  # one font, no fallback
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_serials_come_from_a_sequence_per_kind_and_year_and_check_codes_bind_the_student(school):
    first = issue(K.STUDENT_CARD, school)
    second = issue(K.STUDENT_CARD, school)
    diploma = issue(K.DIPLOMA, school)
    year = first.issued_at.year
    assert re.fullmatch(rf"GSXS{year}-\d{{6}}", first.serial)
    assert int(second.serial[-6:]) == int(first.serial[-6:]) + 1
    assert diploma.serial == f"GSBY{year}-000001"
    assert first.check_code == check_code_for(first.serial, first.student.registry_number)
    assert len(first.check_code) == 8
    assert check_code_for(first.serial, second.student.registry_number) != first.check_code


def test_issue_writes_an_archive_entry_and_an_audit_entry(school):
    certificate = issue(K.SUSPENSION, school)
    entry = ArchiveEntry.objects.get(student=certificate.student, title__contains=certificate.serial)
    assert "休学证明" in entry.title
    assert RegistryLogEntry.objects.filter(action="xueji.certificate.issue", object_id=str(certificate.pk)).exists()


def test_wrong_status_and_reissued_diploma_are_refused(school):
    active = student_for(K.STUDENT_CARD, school)
    with pytest.raises(RuleError) as error:
        certificate_issue(acting_user=None, kind=K.DIPLOMA, student=active)
    assert error.value.code == "certificate_status"
    diploma = issue(K.DIPLOMA, school)
    with pytest.raises(RuleError) as error:
        certificate_issue(acting_user=None, kind=K.DIPLOMA, student=diploma.student)
    assert error.value.code == "certificate_reissue" and error.value.article == "第三十五条"
    # The graduate gets an attestation instead.
    certificate_issue(acting_user=None, kind=K.GRADUATION_ATTESTATION, student=diploma.student)


def test_qr_decodes_to_the_verification_url(school, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    certificate = issue(K.DIPLOMA, school)
    url = verification_url(certificate)
    assert url.startswith("http://localhost:8000/verify/?serial=") and certificate.check_code in url
    assert qr_for(certificate).designator  # segno built it from the URL
    pdf = certificate_render_pdf(acting_user=None, certificate=certificate)
    _, path = pdf_text(pdf, tmp_path)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    decoded = [b.text for b in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))]
    assert decoded == [url]


def test_every_print_is_logged_and_a_revoked_certificate_is_not_printed(school):
    certificate = issue(K.STUDENT_CARD, school)
    user = staff_user(school)
    certificate_render_pdf(acting_user=user, certificate=certificate)
    certificate_render_pdf(acting_user=user, certificate=certificate)
    assert list(CertificatePrint.objects.filter(certificate=certificate).values_list("printed_by", flat=True)) == [
        user.pk, user.pk]
    assert RegistryLogEntry.objects.filter(action="xueji.certificate.print", object_id=str(certificate.pk)).count() == 2
    with pytest.raises(RuleError):
        certificate_revoke(acting_user=user, certificate=certificate, reason=" ")
    certificate_revoke(acting_user=user, certificate=certificate, reason="信息有误")
    with pytest.raises(RuleError):
        certificate_render_pdf(acting_user=user, certificate=certificate)
    with pytest.raises(RuleError):
        certificate_revoke(acting_user=user, certificate=certificate, reason="再次")
    assert CertificatePrint.objects.filter(certificate=certificate).count() == 2


def test_services_refuse_a_student_out_of_scope(school):
    student = student_for(K.STUDENT_CARD, school)
    outsider = staff_user(SchoolFactory(name="别的学校"))
    with pytest.raises(PermissionDenied):
        certificate_issue(acting_user=outsider, kind=K.STUDENT_CARD, student=student)
    certificate = certificate_issue(acting_user=None, kind=K.STUDENT_CARD, student=student)
    with pytest.raises(PermissionDenied):
        certificate_render_pdf(acting_user=outsider, certificate=certificate)
    assert not CertificatePrint.objects.exists()


def test_admin_download_in_scope_returns_the_pdf_and_out_of_scope_is_404(client, school):
    certificate = issue(K.STUDENT_CARD, school)
    url = f"/admin/certificates/{certificate.pk}/pdf/"
    county = staff_user(Jurisdiction.objects.get(code="620102"))
    client.login(username=county.username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert CertificatePrint.objects.filter(certificate=certificate, printed_by=county).count() == 1

    other_county = staff_user(Jurisdiction.objects.get(code="620502"))
    client.login(username=other_county.username, password=PASSWORD)
    assert client.get(url).status_code == 404
    assert client.get(f"/admin/certificates/{certificate.pk + 999}/pdf/").status_code == 404
    assert CertificatePrint.objects.filter(certificate=certificate).count() == 1


def test_admin_download_needs_a_login(client, school):
    certificate = issue(K.STUDENT_CARD, school)
    response = client.get(f"/admin/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 302 and not CertificatePrint.objects.exists()
    assert Certificate.objects.count() == 1


def test_a_graduation_roll_prints_in_the_background_into_one_merged_pdf(school, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from cases.models import PrintJob
    from cases.services.print_jobs import print_job_create

    diplomas = [issue(K.DIPLOMA, school) for _ in range(3)]
    user = staff_user(school)
    with django_capture_on_commit_callbacks(execute=True):
        job = print_job_create(acting_user=user, certificates=diplomas)
    job = PrintJob.objects.get(pk=job.pk)
    assert (job.status, job.total, job.done) == ("done", 3, 3)
    data = job.pdf.read()
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
    text, _ = pdf_text(data, tmp_path)
    assert all(d.serial in text for d in diplomas) and text.count("毕业证书") == 3
    assert CertificatePrint.objects.filter(printed_by=user).count() == 3


def test_a_print_job_refuses_revoked_certificates_and_students_out_of_scope(school):
    from cases.models import PrintJob
    from cases.services.print_jobs import print_job_create

    diploma = issue(K.DIPLOMA, school)
    with pytest.raises(PermissionDenied):
        print_job_create(acting_user=staff_user(SchoolFactory(name="别的学校")), certificates=[diploma])
    certificate_revoke(acting_user=None, certificate=diploma, reason="信息有误")
    with pytest.raises(RuleError):
        print_job_create(acting_user=None, certificates=[diploma])
    assert not PrintJob.objects.exists()


@pytest.mark.parametrize("kind, stage, allowed", [
    (K.DIPLOMA, "senior", "62"),  # general high school: the province (第三条(一)3)
    (K.DIPLOMA, "junior", "620102"),  # compulsory education: the county
    (K.STUDENT_CARD, "junior", "620102"),
    (K.GRADUATION_ATTESTATION, "senior", "62"),
])
def test_article_3_who_issues_which_certificate(db, kind, stage, allowed):
    category = "5" if stage == "senior" else "1"
    school = SchoolFactory(category=category)
    registration = register_student(school=school, stage=stage)  # born at an age that fits the stage
    if kind in STATUS_FOR:
        registration_change_status(acting_user=None, registration=registration, status=STATUS_FOR[kind],
                                   occurred_on=datetime.date(2026, 3, 2), reason="测试")
    below = {"62": "6201", "620102": school}[allowed]
    lower = staff_user(below if not isinstance(below, str) else Jurisdiction.objects.get(code=below))
    with pytest.raises(RuleError) as info:
        certificate_issue(acting_user=lower, kind=kind, student=registration.student)
    assert info.value.code == "certificate_issuer_level" and info.value.article == "第三条"
    issuer = staff_user(Jurisdiction.objects.get(code=allowed))
    assert certificate_issue(acting_user=issuer, kind=kind, student=registration.student).kind == kind


# --- 第三十五条: once per registration; only an error is replaced, by the province ----------------
def _snapshot(student):
    return (list(Certificate.objects.filter(student=student).order_by("pk").values()),
            list(ArchiveEntry.objects.filter(student=student).order_by("pk").values()))


@pytest.mark.parametrize("revoke_kind", ["lost", "damaged", "other"])
def test_article_35_a_revoked_diploma_is_never_issued_again(school, revoke_kind):
    """遗失、损毁: revoking the diploma does not reopen it; the graduate gets an attestation."""
    diploma = issue(K.DIPLOMA, school)
    province = staff_user(Jurisdiction.objects.get(code="62"))
    certificate_revoke(acting_user=province, certificate=diploma, reason="本人声明", kind=revoke_kind)
    before = _snapshot(diploma.student)
    with pytest.raises(RuleError) as error:
        certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student)
    assert (error.value.code, error.value.article) == ("certificate_reissue", "第三十五条")
    assert "毕业证明书" in error.value.message
    with pytest.raises(RuleError) as error:  # nor "replaced": only an error is replaced
        certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student, replaces=diploma,
                          replacement_reason="补发")
    assert (error.value.code, error.value.article) == ("certificate_replace_not_error", "第三十五条")
    assert _snapshot(diploma.student) == before
    attestation = certificate_issue(acting_user=province, kind=K.GRADUATION_ATTESTATION, student=diploma.student)
    assert attestation.kind == K.GRADUATION_ATTESTATION


def test_article_35_a_completion_certificate_revoked_as_lost_is_not_reissued(school):
    completion = issue(K.COMPLETION, school)
    certificate_revoke(acting_user=None, certificate=completion, reason="遗失", kind="lost")
    with pytest.raises(RuleError) as error:
        certificate_issue(acting_user=None, kind=K.COMPLETION, student=completion.student)
    assert error.value.code == "certificate_reissue"


def test_article_35_a_diploma_issued_in_error_is_replaced_by_the_province_with_the_reason(school):
    diploma = issue(K.DIPLOMA, school)
    city = staff_user(Jurisdiction.objects.get(code="6201"), role="reviewer")
    province = staff_user(Jurisdiction.objects.get(code="62"), role="reviewer")
    with pytest.raises(RuleError) as error:  # not while it is valid
        certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student, replaces=diploma,
                          replacement_reason="姓名错误")
    assert error.value.code == "certificate_replace_not_error"
    certificate_revoke(acting_user=province, certificate=diploma, reason="姓名印错", kind="error")
    before = _snapshot(diploma.student)
    refusals = [
        (city, "姓名错误", "certificate_replace_province"),  # only the province replaces
        (province, "  ", "certificate_replace_reason"),  # with the reason recorded
    ]
    for user, reason, code in refusals:
        with pytest.raises(RuleError) as error:
            certificate_issue(acting_user=user, kind=K.DIPLOMA, student=diploma.student, replaces=diploma,
                              replacement_reason=reason)
        assert (error.value.code, error.value.article) == (code, "第三十五条")
    with pytest.raises(RuleError) as error:  # a fresh issue is still refused
        certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student)
    assert error.value.code == "certificate_reissue"
    assert _snapshot(diploma.student) == before

    new = certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student, replaces=diploma,
                            replacement_reason="原证书姓名印错,依户口簿更正后换发")
    assert new.replaces == diploma and new.replacement_reason == "原证书姓名印错,依户口簿更正后换发"
    entry = ArchiveEntry.objects.get(student=diploma.student, title__contains=new.serial)
    assert diploma.serial in entry.body and "姓名印错" in entry.body
    assert RegistryLogEntry.objects.get(action="xueji.certificate.issue", object_id=str(new.pk)).data["replaces"] \
        == diploma.serial
    # Replaced once: the replacement is the diploma now; a second replacement is refused.
    with pytest.raises(RuleError) as error:
        certificate_issue(acting_user=province, kind=K.DIPLOMA, student=diploma.student, replaces=diploma,
                          replacement_reason="再换")
    assert error.value.code == "certificate_replace_done"


def test_the_archive_dossier_reads_dates_as_2026年3月2日(school, tmp_path):
    """The printed dossier used 2026-03-02; a document a family keeps reads the one date form."""
    certificate = issue(K.ARCHIVE_DOSSIER, school)
    started = certificate.student.registrations.get().started_on
    text, _ = pdf_text(certificate_render_pdf(acting_user=None, certificate=certificate), tmp_path)
    assert f"{started.year}年{started.month}月{started.day}日" in text
    assert not re.search(r"20\d\d-\d\d-\d\d", text)
