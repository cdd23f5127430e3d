"""Certificates in the admin: issue and revoke from the student's page, download the PDF (every
download is a logged print).

Scope is checked on the student, through the one access policy: a certificate of a student
out of scope answers 404, exactly like a missing one.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks

from cases import access
from cases import models as m
from cases.edge import is_digits
from cases.errors import RuleError
from cases.errors import rule_errors
from cases.services.certificates import certificate_issue, certificate_render_pdf, certificate_revoke
from cases.services.reads import student_reads_record


def certificate_pdf(request, pk):
    # Read: the certificates of the user's scope (a former school never sees the new school's).
    # Printing is acting for the student: only the holder of the registration (第十四条), 403.
    certificate = access.certificates_visible(request.user).filter(pk=pk).select_related("student").first()
    if certificate is None:
        raise Http404
    try:
        pdf = certificate_render_pdf(acting_user=request.user, certificate=certificate)
    except RuleError as error:  # revoked: nothing to print
        return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")
    student_reads_record(acting_user=request.user, students=[certificate.student_id], door=m.ReadDoor.CERTIFICATE_PDF,
                         what=f"{certificate.get_kind_display()} {certificate.serial}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _back_to_student(student_id):
    return redirect(reverse("wagtailsnippets_cases_student:inspect", args=[student_id]))


def _report(request, error):
    for item in rule_errors(error):
        messages.error(request, item["message"] + (f"({item['article']})" if item["article"] else ""))


@require_POST
def certificate_issue_view(request, student_pk):
    """签发: the kind from the student's page; the service checks scope and status."""
    student = access.get_in_scope_or_404(request.user, m.Student, pk=student_pk)
    if not request.user.has_perm("cases.add_certificate"):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    if kind not in m.CertificateKind.values:
        messages.error(request, "请选择证书类别")
        return _back_to_student(student.pk)
    replaces = None
    if request.POST.get("replaces"):
        replaces = student.certificates.filter(pk=request.POST["replaces"]).first() \
            if is_digits(request.POST["replaces"]) else None
        if replaces is None:
            raise Http404
    try:
        certificate = certificate_issue(acting_user=request.user, kind=kind, student=student, replaces=replaces,
                                        replacement_reason=request.POST.get("replacement_reason", ""))
        messages.success(request, f"已签发{certificate.get_kind_display()},编号 {certificate.serial}")
    except ValidationError as error:
        _report(request, error)
    return _back_to_student(student.pk)


@require_POST
def certificate_revoke_view(request, pk):
    certificate = access.certificates_visible(request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    if not request.user.has_perm("cases.change_certificate"):
        raise PermissionDenied
    try:
        certificate_revoke(acting_user=request.user, certificate=certificate, reason=request.POST.get("reason", ""),
                           kind=request.POST.get("revoke_kind", m.RevokeKind.OTHER))
        messages.success(request, f"{certificate.serial} 已作废")
    except ValidationError as error:
        _report(request, error)
    return _back_to_student(certificate.student_id)


@hooks.register("register_admin_urls")
def register_certificate_urls():
    return [
        path("certificates/<int:pk>/pdf/", certificate_pdf, name="xueji_certificate_pdf"),
        path("certificates/<int:pk>/revoke/", certificate_revoke_view, name="xueji_certificate_revoke"),
        path("students/<int:student_pk>/certificates/", certificate_issue_view, name="xueji_certificate_issue"),
    ]


@hooks.register("register_log_actions")
def register_certificate_log_model(actions):
    # Our scoped log model, so certificate entries obey the same scope as the rest.
    actions.register_model(m.Certificate, m.RegistryLogEntry)
