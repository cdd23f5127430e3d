"""批量打印 started from a class or a graduation roll: choose the certificate, optionally issue
the missing ones, and the job runs in the background; its page shows the progress."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets.button import ListingButton

from cases import access
from cases import models as m
from cases.errors import rule_errors
from cases.services.print_jobs import print_job_for_class, print_job_for_roll

ROLL_KINDS = [m.CertificateKind.DIPLOMA, m.CertificateKind.COMPLETION, m.CertificateKind.COMPULSORY_COMPLETION]


class BatchPrintForm(forms.Form):
    kind = forms.ChoiceField(label="证书类别")
    issue_missing = forms.BooleanField(label="为尚未签发的学生签发(按签发规定逐人核查)", required=False)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in (kinds or m.CertificateKind)]


def _batch(request, *, title, subject, kinds, start):
    if not request.user.has_perm("cases.view_printjob"):
        raise PermissionDenied
    form = BatchPrintForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            job, missing = start(form.cleaned_data["kind"], form.cleaned_data["issue_missing"])
        except ValidationError as error:
            for item in rule_errors(error):
                form.add_error(None, item["message"] + (f"({item['article']})" if item["article"] else ""))
        else:
            note = f",{len(missing)} 名学生尚无该证书未打印" if missing else ""
            messages.success(request, f"已提交批量打印:共 {job.total} 份{note}")
            return redirect("wagtailsnippets_cases_printjob:inspect", job.pk)
    return TemplateResponse(request, "cases/admin/batch_print.html", {"title": title, "subject": subject,
                                                                      "form": form})


def class_print_view(request, pk):
    school_class = access.get_in_scope_or_404(request.user, m.SchoolClass, pk=pk)
    return _batch(request, title="批量打印", subject=f"{school_class.school.name} {school_class}", kinds=None,
                  start=lambda kind, issue: print_job_for_class(acting_user=request.user, school_class=school_class,
                                                                kind=kind, issue_missing=issue))


def roll_print_view(request, pk):
    case = access.get_in_scope_or_404(request.user, m.Case, m.Case.objects.filter(case_type="graduation"), pk=pk)
    return _batch(request, title="打印毕业生名册的证书", subject=f"{case.school.name} 毕业生名册 {case.number}",
                  kinds=ROLL_KINDS,
                  start=lambda kind, issue: print_job_for_roll(acting_user=request.user, case=case, kind=kind,
                                                               issue_missing=issue))


@hooks.register("register_admin_urls")
def register_batch_print_urls():
    return [
        path("print/class/<int:pk>/", class_print_view, name="xueji_print_class"),
        path("print/roll/<int:pk>/", roll_print_view, name="xueji_print_roll"),
    ]


@hooks.register("register_snippet_listing_buttons")
def roll_print_button(snippet, user, next_url=None):
    if isinstance(snippet, m.Case) and snippet.case_type == "graduation" and user.has_perm("cases.view_printjob"):
        yield ListingButton("打印证书", url=reverse("xueji_print_roll", args=[snippet.pk]), icon_name="doc-full",
                            priority=60)
    if isinstance(snippet, m.SchoolClass) and user.has_perm("cases.view_printjob"):
        yield ListingButton("批量打印", url=reverse("xueji_print_class", args=[snippet.pk]), icon_name="doc-full",
                            priority=60)
