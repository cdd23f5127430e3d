"""Certificates (证书、证明): issue, revoke, render. Every (re)print is logged.

Who may print what is decided by scope (cases/access.py); which registration status a kind
needs is below. A lost diploma is never reissued: the graduate gets a graduation attestation
instead (第三十五条), so a diploma or completion certificate is issued once per registration
unless the earlier one was revoked.
"""

import base64
import datetime
import hmac

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode

from cases import access
from cases import models as m
from cases.audit import audit
from cases.errors import RuleError
from cases.services.sequences import sequence_take

K = m.CertificateKind
S = m.RegistrationStatus

# Serial prefix per kind: GS (甘肃) + two letters of the pinyin initials.
SERIAL_PREFIX = {
    K.TRANSFER: "GSZX", K.SUSPENSION: "GSXX", K.STUDENT_CARD: "GSXS", K.DIPLOMA: "GSBY", K.COMPLETION: "GSJY",
    K.QUALIFICATION: "GSHG", K.COMPULSORY_COMPLETION: "GSYW", K.GRADUATION_ATTESTATION: "GSBZ",
    K.ARCHIVE_DOSSIER: "GSDA",
}
# Registration statuses a kind may be issued for (None: any).
ALLOWED_STATUSES = {
    K.TRANSFER: {S.ACTIVE, S.TRANSFERRED_OUT},
    K.SUSPENSION: {S.SUSPENDED},
    K.STUDENT_CARD: set(m.OPEN_STATUSES),
    K.DIPLOMA: {S.GRADUATED},
    K.COMPLETION: {S.COMPLETED},
    K.QUALIFICATION: {S.COMPLETED},
    K.COMPULSORY_COMPLETION: {S.GRADUATED, S.COMPLETED},
    K.GRADUATION_ATTESTATION: {S.GRADUATED},
    K.ARCHIVE_DOSSIER: None,
}
ONCE_PER_REGISTRATION = {K.DIPLOMA, K.COMPLETION, K.COMPULSORY_COMPLETION}
ARTICLE = {K.DIPLOMA: "第三十四条", K.COMPLETION: "第三十四条", K.COMPULSORY_COMPLETION: "第三十四条",
           K.QUALIFICATION: "第三十五条", K.GRADUATION_ATTESTATION: "第三十五条", K.SUSPENSION: "第二十八条",
           K.TRANSFER: "第二十二条", K.STUDENT_CARD: "第十二条", K.ARCHIVE_DOSSIER: "第十二条"}
# A5 for the small forms, A4 for the rest.
PAGE_SIZE = {K.SUSPENSION: "A5", K.STUDENT_CARD: "A5"}


def check_code_for(serial, registry_number):
    """8 characters of an HMAC keyed with SECRET_KEY over serial and registry number."""
    digest = salted_hmac("xueji.certificate.check_code", f"{serial}|{registry_number}",
                         secret=settings.SECRET_KEY, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:8]


def check_code_matches(certificate, code):
    stored = certificate.check_code if certificate else "00000000"
    return hmac.compare_digest(stored.encode(), (code or "").encode()) and certificate is not None


def verification_url(certificate):
    query = urlencode({"serial": certificate.serial, "code": certificate.check_code})
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{reverse('certificate_verify')}?{query}"


def _check_scope(acting_user, student):
    """Only the unit holding the student's registration (and its authorities) issues, revokes
    and prints for the student (第十四条): the former school reads, it does not act.
    acting_user None is the system (batches, demo data)."""
    if acting_user is not None and not access.holds_student(acting_user, student):
        raise PermissionDenied


def _registration_for(student, case):
    if case is not None and case.registration_id:
        return case.registration
    return student.registrations.select_related("school").order_by("-started_on", "-id").first()


# Who issues what (第三条, 第三十四条): the school its own forms; the county student cards and the
# certificates of compulsory education; the province those of general high school.
LEVEL_RANK = {"school": 0, "county": 1, "city": 2, "province": 3}
LEVEL_LABEL = {"school": "学校", "county": "县级学籍主管部门", "city": "市级学籍主管部门", "province": "省级学籍管理部门"}
SCHOOL_FORMS = {K.TRANSFER, K.SUSPENSION, K.ARCHIVE_DOSSIER}
PROVINCE_ONLY = {K.QUALIFICATION, K.GRADUATION_ATTESTATION}


def issuer_level_required(kind, registration):
    if kind in SCHOOL_FORMS:
        return "school"
    if kind in PROVINCE_ONLY or registration.stage in m.HIGH_SCHOOL_STAGES:
        return "province"
    return "county"


def _check_issuer(acting_user, kind, registration):
    if acting_user is None or acting_user.is_superuser:
        return
    profile = access.profile_of(acting_user)
    level = "school" if profile is None or profile.school_id else profile.jurisdiction.level
    required = issuer_level_required(kind, registration)
    if LEVEL_RANK.get(level, -1) < LEVEL_RANK[required]:
        raise RuleError("certificate_issuer_level", f"{kind.label}须由{LEVEL_LABEL[required]}签发", field="kind",
                        article="第三条")


@transaction.atomic
def certificate_issue(*, acting_user, kind, student, case=None):
    kind = K(kind)
    _check_scope(acting_user, student)
    if case is not None and case.student_id != student.pk:
        raise RuleError("certificate_case_other", "案卷不属于该学生", field="case")
    registration = _registration_for(student, case)
    allowed = ALLOWED_STATUSES[kind]
    if registration is None or (allowed is not None and registration.status not in allowed):
        raise RuleError("certificate_status", f"该学生当前学籍状态不能签发{kind.label}", field="kind",
                        article=ARTICLE[kind])
    _check_issuer(acting_user, kind, registration)
    if kind in ONCE_PER_REGISTRATION and m.Certificate.objects.select_for_update().filter(
            kind=kind, registration=registration, revoked_at__isnull=True).exists():
        raise RuleError("certificate_reissue", f"{kind.label}已签发,遗失不补发,可申请毕业证明书", field="kind",
                        article="第三十五条")
    year = timezone.localdate().year
    prefix = f"{SERIAL_PREFIX[kind]}{year}"
    serial = f"{prefix}-{sequence_take(f'certificate:{prefix}'):06d}"
    certificate = m.Certificate.objects.create(
        kind=kind, serial=serial, check_code=check_code_for(serial, student.registry_number), student=student,
        registration=registration, case=case, school=registration.school, issued_by=acting_user,
    )
    m.ArchiveEntry.objects.create(
        student=student, school=registration.school, kind=m.ArchiveEntryKind.OTHER, case=case,
        title=f"签发《{kind.label}》{serial}", body=f"编号 {serial},校验码 {certificate.check_code}",
        recorded_by=acting_user,
    )
    audit(certificate, "xueji.certificate.issue", acting_user=acting_user, data={"kind": kind, "serial": serial})
    return certificate


@transaction.atomic
def certificate_revoke(*, acting_user, certificate, reason):
    certificate = m.Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_scope(acting_user, certificate.student)
    if certificate.is_revoked:
        raise RuleError("certificate_revoked", "该证书已作废")
    if not (reason or "").strip():
        raise RuleError("certificate_revoke_reason", "请填写作废原因", field="reason")
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    audit(certificate, "xueji.certificate.revoke", acting_user=acting_user, data={"reason": certificate.revoke_reason})
    return certificate


def certificate_render_html(certificate):
    from cases.certificate_context import context_for

    return render_to_string(f"certificates/{certificate.kind}.html", context_for(certificate))


def certificate_render_pdf(*, acting_user, certificate) -> bytes:
    """Render the PDF, then log the print. Rendering (~0.1 s) runs outside the transaction so
    the print log's lock is held only for the insert."""
    from weasyprint import HTML

    # Re-read: a certificate revoked since the caller loaded it must not print.
    certificate = m.Certificate.objects.select_related("student", "school", "registration", "case").get(
        pk=certificate.pk)
    _check_scope(acting_user, certificate.student)
    if certificate.is_revoked:
        raise RuleError("certificate_revoked", "该证书已作废,不能打印")
    pdf = HTML(string=certificate_render_html(certificate), base_url=str(settings.BASE_DIR)).write_pdf()
    with transaction.atomic():
        m.CertificatePrint.objects.create(certificate=certificate, printed_by=acting_user)
        audit(certificate, "xueji.certificate.print", acting_user=acting_user, data={"serial": certificate.serial})
    return pdf


def chinese_date(day):
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
