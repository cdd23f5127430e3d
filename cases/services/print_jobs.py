"""Batch printing (a graduation roll) in the background: one merged PDF, progress on PrintJob.

The job is queued after commit, so the worker never sees a job whose transaction rolled back.
Each certificate is rendered through certificate_render_pdf, so every page is a logged print.
"""

import datetime
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from cases import models as m
from cases.errors import RuleError
from cases.services.certificates import _check_scope, certificate_render_pdf

logger = logging.getLogger(__name__)


@transaction.atomic
def print_job_create(*, acting_user, certificates):
    # Re-read: a certificate revoked since the caller loaded it must not be queued.
    certificates = list(m.Certificate.objects.filter(pk__in=[c.pk for c in certificates]).select_related("student"))
    if not certificates:
        raise RuleError("print_job_empty", "没有需要打印的证书")
    for certificate in certificates:
        _check_scope(acting_user, certificate.student, certificate)
        if certificate.is_revoked:
            raise RuleError("certificate_revoked", f"证书 {certificate.serial} 已作废,不能打印")
    job = m.PrintJob.objects.create(created_by=acting_user, total=len(certificates))
    job.certificates.set(certificates)
    transaction.on_commit(lambda: print_job_run.enqueue(job.pk))
    return job


@task()
def print_job_run(job_id):
    """Render the job's certificates into one PDF. The job is claimed (queued → running) in one
    UPDATE, so a duplicate delivery of the task does nothing; every page renews the lease
    (``heartbeat_at``) and is logged once per job, so a resumed job starts over without a
    second print-log row for any certificate."""
    from pypdf import PdfWriter

    claimed = m.PrintJob.objects.filter(pk=job_id, status=m.PrintJobStatus.QUEUED).update(
        status=m.PrintJobStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now(), done=0)
    if not claimed:
        logger.info("print job not queued any more: nothing to do", extra={"print_job": job_id})
        return job_id
    job = m.PrintJob.objects.select_related("created_by").get(pk=job_id)
    writer = PdfWriter()
    try:
        for done, certificate in enumerate(job.certificates.order_by("serial"), start=1):
            writer.append(io.BytesIO(certificate_render_pdf(acting_user=job.created_by, certificate=certificate,
                                                            print_job=job)))
            # Progress and lease are committed per page so the admin sees it move and a
            # watcher can tell a live job from one whose worker died.
            m.PrintJob.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
        merged = io.BytesIO()
        writer.write(merged)
    except Exception as error:
        m.PrintJob.objects.filter(pk=job.pk).update(status=m.PrintJobStatus.FAILED, error=str(error)[:2000],
                                                    finished_at=timezone.now())
        raise
    job.refresh_from_db()
    job.pdf.save(f"print-job-{job.pk}.pdf", ContentFile(merged.getvalue()), save=False)
    job.status, job.finished_at, job.error = m.PrintJobStatus.DONE, timezone.now(), ""
    job.save(update_fields=["pdf", "status", "finished_at", "error"])
    return job.pk


def print_jobs_recover(*, now=None):
    """Jobs whose worker stopped or was killed: running, with a lease older than
    XUEJI_PRINT_JOB_LEASE_SECONDS. Each is queued again (it starts over; pages already logged
    are not logged twice) or, after XUEJI_PRINT_JOB_MAX_ATTEMPTS, marked failed with what was
    done. Run by every RQ worker's maintenance (cases/worker.py) and by
    ``manage.py print_jobs_recover``; safe to run anywhere at any time (rows are claimed with
    SKIP LOCKED, so two watchers never handle one job). Returns (resumed, failed) job ids."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.XUEJI_PRINT_JOB_LEASE_SECONDS)
    resumed, failed = [], []
    with transaction.atomic():
        stale = (m.PrintJob.objects.select_for_update(skip_locked=True)
                 .filter(status=m.PrintJobStatus.RUNNING, heartbeat_at__lt=stale_before).order_by("pk")[:100])
        for job in stale:
            if job.attempts < settings.XUEJI_PRINT_JOB_MAX_ATTEMPTS:
                job.status = m.PrintJobStatus.QUEUED
                job.error = f"第{job.attempts}次执行中断(已完成 {job.done}/{job.total}),已重新排队"
                resumed.append(job.pk)
            else:
                job.status, job.finished_at = m.PrintJobStatus.FAILED, now
                job.error = (f"执行进程中断,已尝试{job.attempts}次仍未完成;"
                             f"最后一次已完成 {job.done}/{job.total} 份,未生成合并文件,请重新提交")
                failed.append(job.pk)
            job.save(update_fields=["status", "error", "finished_at"])
        for job_id in resumed:
            transaction.on_commit(lambda job_id=job_id: print_job_run.enqueue(job_id))
    for job_id in resumed + failed:
        logger.warning("print job lost its worker", extra={"print_job": job_id,
                                                           "outcome": "resumed" if job_id in resumed else "failed"})
    return resumed, failed


# --- batches started from a class or a graduation roll -------------------------------------
def _who(registration):
    return f"{registration.student.name}(学籍号 {registration.student.registry_number})"


@transaction.atomic
def print_job_for_registrations(*, acting_user, registrations, kind, issue_missing=False):
    """The certificates of ``kind`` of these registrations, in one background print job. With
    ``issue_missing``, a registration without a valid one gets it issued first (the issuing
    rules apply: status, issuer level, once per registration); otherwise it is left out and
    named in the error when nothing is left to print."""
    from cases.services.certificates import certificate_issue

    kind = m.CertificateKind(kind)
    registrations = list(registrations.select_related("student"))
    existing = {c.registration_id: c for c in m.Certificate.objects.filter(
        kind=kind, registration__in=registrations, revoked_at__isnull=True).order_by("issued_at")}
    certificates, missing = [], []
    for registration in registrations:
        certificate = existing.get(registration.pk)
        if certificate is None and issue_missing:
            try:
                certificate = certificate_issue(acting_user=acting_user, kind=kind, student=registration.student)
            except RuleError as error:
                raise RuleError(error.code, f"{_who(registration)}:{error.messages[0]}", field="kind",
                                article=error.article) from error
        if certificate is None:
            missing.append(registration)
        else:
            certificates.append(certificate)
    if not certificates:
        raise RuleError("print_job_empty", f"没有已签发的{kind.label}可打印" +
                        ("" if issue_missing else ",可勾选“为尚未签发的学生签发”"), field="kind")
    return print_job_create(acting_user=acting_user, certificates=certificates), missing


def print_job_for_class(*, acting_user, school_class, kind, issue_missing=False):
    registrations = m.Registration.objects.filter(school_class=school_class).exclude(
        status=m.RegistrationStatus.TRANSFERRED_OUT)
    return print_job_for_registrations(acting_user=acting_user, registrations=registrations, kind=kind,
                                       issue_missing=issue_missing)


def print_job_for_roll(*, acting_user, case, kind, issue_missing=False):
    """A graduation roll (毕业/结业 case): the registrations it lists."""
    from cases.case_types.graduation import listed

    if case.case_type != "graduation":
        raise RuleError("print_job_not_roll", "该案卷不是毕业生名册")
    registrations = m.Registration.objects.filter(pk__in=list(listed(case)), school_id=case.school_id)
    return print_job_for_registrations(acting_user=acting_user, registrations=registrations, kind=kind,
                                       issue_missing=issue_missing)
