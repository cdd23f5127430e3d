"""Certificates (证书、证明): issue, revoke, render. Every (re)print is logged.

Who may print what is decided by scope (cases/access.py); which registration status a kind
needs is below. A lost diploma is never reissued: the graduate gets a graduation attestation
instead (第三十五条), so a diploma or completion certificate is issued once per registration;
only one revoked as issued in error is replaced, by the province, with the reason recorded.
"""

import base64
import datetime
import hmac

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
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


def _check_scope(acting_user, student, certificate=None):
    """Only the unit holding the student's registration (and its authorities) issues, revokes
    and prints for the student (第十四条): the former school reads, it does not act. The one
    exception is the school's own 转学证明 of the registration it hands over (第二十二条): the
    origin issues and prints it for its transferred-out registration.
    acting_user None is the system (batches, demo data)."""
    if acting_user is None or access.holds_student(acting_user, student):
        return
    if certificate is not None and certificate.kind == K.TRANSFER and certificate.registration_id and \
            access.scope_of(acting_user).covers_school(certificate.registration.school):
        return
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
    if profile is not None and profile.office == m.Office.EXAM:
        raise RuleError("certificate_issuer_exam_authority", "省级考试管理部门不签发学籍证书", field="kind",
                        article="第二十二条")
    level = "school" if profile is None or profile.school_id else profile.jurisdiction.level
    required = issuer_level_required(kind, registration)
    if LEVEL_RANK.get(level, -1) < LEVEL_RANK[required]:
        raise RuleError("certificate_issuer_level", f"{kind.label}须由{LEVEL_LABEL[required]}签发", field="kind",
                        article="第三条")


def _check_once(acting_user, kind, registration, replaces, replacement_reason):
    """第三十五条: a diploma or completion certificate is issued once per registration. Revoking it
    (lost, damaged, wrong) does not reopen it: the graduate gets a graduation attestation. Only
    a certificate revoked as issued in error may be replaced, once, by the province, with the
    reason recorded. The registration row is locked, so two issues cannot both pass."""
    m.Registration.objects.select_for_update().filter(pk=registration.pk).first()
    earlier = list(m.Certificate.objects.filter(kind=kind, registration=registration).select_related("replaced_by"))
    if replaces is None:
        if kind in ONCE_PER_REGISTRATION and earlier:
            raise RuleError("certificate_reissue", f"{kind.label}已签发,遗失或损毁不补发,可申请毕业证明书;"
                            "错发的由省级学籍管理部门换发", field="kind", article="第三十五条")
        return None
    replaces = m.Certificate.objects.select_for_update().get(pk=replaces.pk)  # what is true now
    if replaces.kind != kind or replaces.registration_id != registration.pk:
        raise RuleError("certificate_replace_other", "被替换的证书与本次签发的证书类别或学籍不符", field="replaces",
                        article="第三十五条")
    if replaces.revoke_kind != m.RevokeKind.ERROR:
        raise RuleError("certificate_replace_not_error", "只有因错发而作废的证书可以换发;遗失、损毁的不补发",
                        field="replaces", article="第三十五条")
    if any(c.revoked_at is None for c in earlier) or hasattr(replaces, "replaced_by"):
        raise RuleError("certificate_replace_done", "该证书已换发", field="replaces", article="第三十五条")
    if acting_user is not None and not acting_user.is_superuser:
        profile = access.profile_of(acting_user)
        if profile is None or profile.school_id or profile.jurisdiction.level != "province":
            raise RuleError("certificate_replace_province", "错发证书由省级学籍管理部门换发", field="replaces",
                            article="第三十五条")
    if not (replacement_reason or "").strip():
        raise RuleError("certificate_replace_reason", "请填写换发原因", field="replacement_reason", article="第三十五条")
    return replaces


@transaction.atomic
def certificate_issue(*, acting_user, kind, student, case=None, replaces=None, replacement_reason=""):
    kind = K(kind)
    if case is not None and case.student_id != student.pk:
        raise RuleError("certificate_case_other", "案卷不属于该学生", field="case")
    registration = _registration_for(student, case)
    _check_scope(acting_user, student, m.Certificate(kind=kind, registration=registration) if registration else None)
    allowed = ALLOWED_STATUSES[kind]
    if registration is None or (allowed is not None and registration.status not in allowed):
        raise RuleError("certificate_status", f"该学生当前学籍状态不能签发{kind.label}", field="kind",
                        article=ARTICLE[kind])
    _check_issuer(acting_user, kind, registration)
    replaces = _check_once(acting_user, kind, registration, replaces, replacement_reason)
    year = timezone.localdate().year
    prefix = f"{SERIAL_PREFIX[kind]}{year}"
    serial = f"{prefix}-{sequence_take(f'certificate:{prefix}'):06d}"
    certificate = m.Certificate.objects.create(
        kind=kind, serial=serial, check_code=check_code_for(serial, student.registry_number), student=student,
        registration=registration, case=case, school=registration.school, issued_by=acting_user,
        replaces=replaces, replacement_reason=(replacement_reason or "").strip() if replaces else "",
    )
    body = f"编号 {serial},校验码 {certificate.check_code}"
    if replaces is not None:
        body += f";换发错发作废的 {replaces.serial}:{certificate.replacement_reason}(第三十五条)"
    m.ArchiveEntry.objects.create(
        student=student, school=registration.school, kind=m.ArchiveEntryKind.OTHER, case=case,
        title=f"签发《{kind.label}》{serial}", body=body, recorded_by=acting_user,
    )
    audit(certificate, "xueji.certificate.issue", acting_user=acting_user,
          data={"kind": kind, "serial": serial, "replaces": replaces.serial if replaces else "",
                "replacement_reason": certificate.replacement_reason})
    return certificate


@transaction.atomic
def certificate_revoke(*, acting_user, certificate, reason, kind=m.RevokeKind.OTHER):
    """Void a certificate (lost, damaged, issued in error…). History stays: the row is kept
    with its reason; only one revoked as issued in error may later be replaced (第三十五条)."""
    certificate = m.Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_scope(acting_user, certificate.student)
    if certificate.is_revoked:
        raise RuleError("certificate_revoked", "该证书已作废")
    if kind not in m.RevokeKind.values:
        raise RuleError("certificate_revoke_kind", "请选择作废类别", field="kind")
    if not (reason or "").strip():
        raise RuleError("certificate_revoke_reason", "请填写作废原因", field="reason")
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()
    certificate.revoke_kind = kind
    certificate.save(update_fields=["revoked_at", "revoke_reason", "revoke_kind"])
    audit(certificate, "xueji.certificate.revoke", acting_user=acting_user,
          data={"reason": certificate.revoke_reason, "kind": kind})
    return certificate


def certificate_render_html(certificate, viewer=None):
    from cases.certificate_context import context_for

    return render_to_string(f"certificates/{certificate.kind}.html", context_for(certificate, viewer))


def certificate_render_pdf(*, acting_user, certificate, print_job=None) -> bytes:
    """Render the PDF, then log the print. Rendering (~0.1 s) runs outside the transaction so
    the print log's lock is held only for the insert. Within a batch (``print_job``) each
    certificate is logged once, however often a resumed job renders it again."""
    from weasyprint import HTML

    # Re-read: a certificate revoked since the caller loaded it must not print.
    certificate = m.Certificate.objects.select_related("student", "school", "registration", "case").get(
        pk=certificate.pk)
    _check_scope(acting_user, certificate.student, certificate)
    if certificate.is_revoked:
        raise RuleError("certificate_revoked", "该证书已作废,不能打印")
    pdf = HTML(string=certificate_render_html(certificate, acting_user), base_url=str(settings.BASE_DIR)).write_pdf()
    with transaction.atomic():
        if print_job is not None:
            if m.CertificatePrint.objects.filter(print_job=print_job, certificate=certificate).exists():
                return pdf  # logged by an earlier attempt of this job
            try:
                with transaction.atomic():
                    m.CertificatePrint.objects.create(certificate=certificate, printed_by=acting_user,
                                                      print_job=print_job)
            except IntegrityError:  # the unique (job, certificate): a duplicate delivery logged it
                return pdf
        else:
            m.CertificatePrint.objects.create(certificate=certificate, printed_by=acting_user)
        audit(certificate, "xueji.certificate.print", acting_user=acting_user,
              data={"serial": certificate.serial, **({"print_job": print_job.pk} if print_job else {})})
    return pdf


def chinese_date(day):
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
