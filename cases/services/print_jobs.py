"""Batch printing (a graduation roll) in the background: one merged PDF, progress on PrintJob.

The job is queued after commit, so the worker never sees a job whose transaction rolled back.
Each certificate is rendered through certificate_render_pdf, so every page is a logged print.
"""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cases import models as m
from cases.errors import RuleError
from cases.services.certificates import _check_scope, certificate_render_pdf


@transaction.atomic
def print_job_create(*, acting_user, certificates):
    # Re-read: a certificate revoked since the caller loaded it must not be queued.
    certificates = list(m.Certificate.objects.filter(pk__in=[c.pk for c in certificates]).select_related("student"))
    if not certificates:
        raise RuleError("print_job_empty", "没有需要打印的证书")
    for certificate in certificates:
        _check_scope(acting_user, certificate.student)
        if certificate.is_revoked:
            raise RuleError("certificate_revoked", f"证书 {certificate.serial} 已作废,不能打印")
    job = m.PrintJob.objects.create(created_by=acting_user, total=len(certificates))
    job.certificates.set(certificates)
    transaction.on_commit(lambda: print_job_run.enqueue(job.pk))
    return job


@task()
def print_job_run(job_id):
    from pypdf import PdfWriter

    job = m.PrintJob.objects.select_related("created_by").get(pk=job_id)
    m.PrintJob.objects.filter(pk=job.pk).update(status=m.PrintJobStatus.RUNNING)
    writer = PdfWriter()
    try:
        for done, certificate in enumerate(job.certificates.order_by("serial"), start=1):
            writer.append(io.BytesIO(certificate_render_pdf(acting_user=job.created_by, certificate=certificate)))
            # Progress is committed per page so the admin sees it move.
            m.PrintJob.objects.filter(pk=job.pk).update(done=done)
        merged = io.BytesIO()
        writer.write(merged)
    except Exception as error:
        m.PrintJob.objects.filter(pk=job.pk).update(status=m.PrintJobStatus.FAILED, error=str(error)[:2000],
                                                    finished_at=timezone.now())
        raise
    job.refresh_from_db()
    job.pdf.save(f"print-job-{job.pk}.pdf", ContentFile(merged.getvalue()), save=False)
    job.status, job.finished_at = m.PrintJobStatus.DONE, timezone.now()
    job.save(update_fields=["pdf", "status", "finished_at"])
    return job.pk
