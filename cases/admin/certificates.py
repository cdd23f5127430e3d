"""Staff download of a certificate's PDF (every download is a logged print).

Scope is checked on the student, through the one access policy: a certificate of a student
out of scope answers 404, exactly like a missing one.
"""

from django.http import Http404, HttpResponse
from django.urls import path
from wagtail import hooks

from cases import access
from cases import models as m
from cases.errors import RuleError
from cases.services.certificates import certificate_render_pdf


def certificate_pdf(request, pk):
    certificate = m.Certificate.objects.filter(pk=pk).select_related("student").first()
    if certificate is None:
        raise Http404
    access.get_in_scope_or_404(request.user, m.Student, pk=certificate.student_id)
    try:
        pdf = certificate_render_pdf(acting_user=request.user, certificate=certificate)
    except RuleError as error:  # revoked: nothing to print
        return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@hooks.register("register_admin_urls")
def register_certificate_urls():
    return [path("certificates/<int:pk>/pdf/", certificate_pdf, name="xueji_certificate_pdf")]


@hooks.register("register_log_actions")
def register_certificate_log_model(actions):
    # Our scoped log model, so certificate entries obey the same scope as the rest.
    actions.register_model(m.Certificate, m.RegistryLogEntry)
