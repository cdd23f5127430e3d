"""PDF downloads for API callers (session or token): a certificate, a batch print's merged file.
Scope is checked on every download; anything out of scope answers 404 like a missing object."""

from django.http import FileResponse, Http404, HttpResponse

from cases import access
from cases import models as m
from cases.errors import RuleError
from cases.services.certificates import certificate_render_pdf
from cases.services.reads import student_reads_record

from .views import token_refusal


def _caller(request):
    refusal = token_refusal(request)
    if refusal:
        return None, refusal
    if not (request.user.is_authenticated and request.user.is_active):
        raise Http404
    return request.user, None


def certificate_pdf(request, pk):
    user, refusal = _caller(request)
    if refusal:
        return refusal
    certificate = access.certificates_visible(user, m.Certificate.objects.filter(pk=pk)).first()
    if certificate is None or not user.has_perm("cases.view_certificate"):
        raise Http404
    try:
        pdf = certificate_render_pdf(acting_user=user, certificate=certificate)  # a logged print
    except RuleError as error:  # revoked: nothing to print
        return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")
    # 第三十八条: a read of the student's record, as through the admin's door (cases/admin/certificates.py).
    student_reads_record(acting_user=user, students=[certificate.student_id], door=m.ReadDoor.CERTIFICATE_PDF,
                         what=f"{certificate.get_kind_display()} {certificate.serial}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def print_job_pdf(request, pk):
    user, refusal = _caller(request)
    if refusal:
        return refusal
    job = access.print_jobs_visible(user, m.PrintJob.objects.filter(pk=pk)).first()
    if job is None or not job.pdf:
        raise Http404
    student_reads_record(acting_user=user, door=m.ReadDoor.PRINT_JOB, what=f"批量打印 {job.pk} 号",
                         students=m.Certificate.objects.filter(print_jobs=job).values_list("student_id", flat=True))
    response = FileResponse(job.pdf.open("rb"), as_attachment=True, filename=f"print-job-{job.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response
