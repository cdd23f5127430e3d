"""PDF downloads for API callers (session or token): a certificate, a batch print's merged file.
Scope is checked on every download; anything out of scope answers 404 like a missing object."""

from functools import wraps

from django.http import FileResponse, Http404, HttpResponse

from cases import access
from cases import models as m
from cases.edge import is_digits
from cases.errors import RuleError
from cases.services.certificates import certificate_render_pdf
from cases.services.reads import student_reads_record

from .views import token_refusal


def download(view):
    """A download for a signed-in caller (session or token); the view gets the user. A refused token
    answers as GraphQL would; no caller answers 404 like a missing object."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refusal = token_refusal(request)
        if refusal:
            return refusal
        if not (request.user.is_authenticated and request.user.is_active):
            raise Http404
        return view(request, request.user, *args, **kwargs)
    return wrapper


def _attachment(content, content_type, filename, *, inline=False):
    """A private file: personal data, so never kept by a browser or a proxy (no-store)."""
    if hasattr(content, "read"):  # a stored file, streamed
        response = FileResponse(content, content_type=content_type, as_attachment=not inline, filename=filename)
    else:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _refused(error):
    """A rule refused the file (revoked certificate, roster too large): its Chinese message, 409."""
    return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")


@download
def certificate_pdf(request, user, pk):
    certificate = access.certificates_visible(user, m.Certificate.objects.filter(pk=pk)).first()
    if certificate is None or not user.has_perm("cases.view_certificate"):
        raise Http404
    try:
        pdf = certificate_render_pdf(acting_user=user, certificate=certificate)  # a logged print
    except RuleError as error:  # revoked: nothing to print
        return _refused(error)
    # 第三十八条: a read of the student's record, as through the admin's door (cases/admin/certificates.py).
    student_reads_record(acting_user=user, students=[certificate.student_id], door=m.ReadDoor.CERTIFICATE_PDF,
                         what=f"{certificate.get_kind_display()} {certificate.serial}")
    return _attachment(pdf, "application/pdf", f"{certificate.serial}.pdf", inline=True)


@download
def print_job_pdf(request, user, pk):
    job = access.print_jobs_visible(user, m.PrintJob.objects.filter(pk=pk)).first()
    if job is None or not job.pdf:
        raise Http404
    student_reads_record(acting_user=user, door=m.ReadDoor.PRINT_JOB, what=f"批量打印 {job.pk} 号",
                         students=m.Certificate.objects.filter(print_jobs=job).values_list("student_id", flat=True))
    return _attachment(job.pdf.open("rb"), "application/pdf", f"print-job-{job.pk}.pdf")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@download
def intake_template(request, user, pk):
    """The Excel template of a registration case in scope (its school's classes in the lists)."""
    from cases.intake.checks import case_template

    case = access.in_scope(user, m.Case, m.Case.objects.select_related("school")).filter(
        pk=pk, case_type="registration").first()
    if case is None:
        raise Http404
    return _attachment(case_template(case), XLSX, f"intake-template-{case.stage}.xlsx")


@download
def intake_result(request, user, pk):
    """An upload's result workbook (each row's outcome and reasons)."""
    upload = access.intake_uploads_visible(user, m.IntakeUpload.objects.select_related("case")).filter(pk=pk).first()
    if upload is None or not upload.result:
        raise Http404
    return _attachment(upload.result.open("rb"), XLSX, f"intake-result-{upload.case.number}.xlsx")


def _report_unit(request, user):
    from .reports.units import BadArgument, report_unit

    try:
        unit = report_unit(user, code=request.GET.get("code"), school_id=request.GET.get("school"))
    except BadArgument:
        unit = None
    if unit is None:
        raise Http404
    return unit


@download
def statistics_xlsx(request, user):
    """学籍统计 as Excel, exactly the admin's export (logged)."""
    from cases import statistics as stats
    from cases.services.exports import table_xlsx

    unit = _report_unit(request, user)
    headers, rows = stats.unit_table(user, unit)
    content = table_xlsx(user=user, kind="statistics", title="学籍统计", headers=headers, rows=rows,
                         query=request.GET.urlencode())
    return _attachment(content, XLSX, "statistics.xlsx")


@download
def oversight_xlsx(request, user):
    """An oversight report's counts, or one check's records, as Excel (logged, the records as reads)."""
    from cases import oversight
    from cases.services.exports import table_xlsx

    unit = _report_unit(request, user)
    report, check = request.GET.get("report"), request.GET.get("check")
    if report not in oversight.REPORTS or (check and check not in oversight.REPORTS[report]["checks"]):
        raise Http404
    if check:
        title, headers, rows, students = oversight.records_table(user, unit, report, check)
        kind = f"oversight-{check}"
    else:
        (title, headers, rows), students, kind = oversight.counts_table(user, unit, report), (), f"oversight-{report}"
    content = table_xlsx(user=user, kind=kind, title=title, headers=headers, rows=rows, query=request.GET.urlencode(),
                         students=students)
    return _attachment(content, XLSX, f"{kind}.xlsx")


@download
def roster(request, user):
    """A roster (花名册) as Excel or PDF: the selection is checked again on every download (404 out
    of scope), the file built and logged by cases/services/exports.py."""
    from cases.services.exports import roster_pdf, roster_registrations, roster_title, roster_xlsx

    from .reports.units import BadArgument, roster_selection

    params = request.GET
    export_format = params.get("format", "xlsx")
    grade = params.get("grade")
    try:
        if export_format not in ("xlsx", "pdf") or (grade and not is_digits(grade)):
            raise BadArgument
        selection = roster_selection(user, school_id=params.get("school"), class_id=params.get("class"),
                                     unit_code=params.get("unit"), stage=params.get("stage"),
                                     grade=int(grade) if grade else None)
    except BadArgument:
        selection = None
    if selection is None:
        raise Http404
    registrations = roster_registrations(
        user, school=selection["school"], school_class=selection["school_class"], grade=selection["grade"],
        unit_code=selection["unit"].code if selection["unit"] else None, stage=selection["stage"])
    title = roster_title(**selection)
    build, content_type = (roster_pdf, "application/pdf") if export_format == "pdf" else (roster_xlsx, XLSX)
    try:
        content = build(user=user, title=title, registrations=registrations, query=params.urlencode())
    except RuleError as error:  # too many rows: narrowed by school, grade or class first
        return _refused(error)
    return _attachment(content, content_type, f"roster.{export_format}")
