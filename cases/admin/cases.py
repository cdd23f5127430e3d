"""Case documents in the Wagtail admin: a snippet with a workflow whose every button goes
through the case services (create, edit the draft, attach evidence, submit, decide, withdraw)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import CreateView, EditView, WorkflowActionView

from cases import access
from cases import models as m
from cases.case_types import CASE_TYPES, choices
from cases.errors import rule_errors
from cases.services.cases import (
    EDITABLE_FIELDS,
    case_create,
    case_editable_by,
    case_submit,
    case_update_draft,
    case_withdraw,
    evidence_attach,
    missing_evidence,
)
from cases.workflow import steps_of

from .scoping import ScopedSnippetViewSet, ServiceFormMixin


def _reason_choices():
    items = [("", "—")]
    for code, case_type in CASE_TYPES.items():
        items += [(reason, f"{case_type.name}:{label}") for reason, label in case_type.reasons.items()]
    return list(dict(items).items())


class CaseForm(WagtailAdminModelForm):
    case_type = forms.ChoiceField(label=_("变动类型"), choices=lambda: [("", "请选择")] + choices())
    destination_school_code = forms.CharField(label=_("转入学校标识码"), required=False, max_length=10,
                                              help_text=_("省内转学或随班就读时填写对方学校的10位学校标识码"))
    reason = forms.ChoiceField(label=_("事由类别"), choices=_reason_choices, required=False)
    details = forms.JSONField(label=_("其他信息"), required=False, initial=dict,
                              help_text=_('JSON,如信息变更 {"changes": {"name": "新姓名"}}'))

    class Meta:
        model = m.Case
        fields = ["case_type", "student", "transfer_scope", "external_school", "external_province", "stage", "reason",
                  "reason_text", "effective_on", "end_on", "details"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        # A student can only be chosen from the user's own scope, whatever id is posted.
        self.fields["student"].queryset = access.in_scope(for_user, m.Student)
        if self.instance.pk:
            self.fields["case_type"].disabled = True
            if self.instance.registration_id:  # the stage is the registration's
                self.fields["stage"].disabled = True
            if not case_editable_by(self.instance, for_user):
                # Under review, decided, or an approver's view: the document is read-only and
                # the footer buttons act on the workflow, so nothing here is validated or saved.
                self.fields["student"].queryset = m.Student.objects.filter(pk=self.instance.student_id)
                for field in self.fields.values():
                    field.disabled = True
            if self.instance.destination_school_id:
                self.fields["destination_school_code"].initial = self.instance.destination_school.code

    def clean_destination_school_code(self):
        code = self.cleaned_data.get("destination_school_code", "").strip()
        if not code:
            return None
        school = m.School.objects.filter(code=code).first()
        if school is None:
            raise ValidationError("没有该学校标识码对应的学校")
        return school

    def case_fields(self):
        data = {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS and k != "destination_school"}
        data["destination_school"] = self.cleaned_data.get("destination_school_code")
        data["details"] = data.get("details") or {}
        return data


CASE_PANELS = ObjectList(
    [FieldPanel(name) for name in ["case_type", "student", "transfer_scope", "destination_school_code",
                                   "external_school", "external_province", "stage", "reason", "reason_text",
                                   "effective_on", "end_on", "details"]],
    base_form_class=CaseForm,
)


def _school_of(user):
    profile = access.profile_of(user)
    if profile is None or profile.school is None:
        raise PermissionDenied  # cases are opened by the school that handles them
    return profile.school


class CaseServiceMixin(ServiceFormMixin):
    """Every action button of the case editor is a service call."""

    def publish_action(self):
        raise PermissionDenied  # cases are decided by the workflow, never published by hand

    def submit_action(self):
        case_submit(acting_user=self.request.user, case=self.object)

    def restart_workflow_action(self):
        raise PermissionDenied

    def cancel_workflow_action(self):
        case_withdraw(acting_user=self.request.user, case=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The stored case, not the draft revision the editor shows: steps and evidence live there.
        case = getattr(self, "live_object", None) or getattr(self, "object", None)
        if case is not None and case.pk:
            context.update(
                case=case,
                evidence=case.evidence.select_related("document"),
                missing_evidence=missing_evidence(case),
                steps=steps_of(case),
                evidence_form=EvidenceForm(case=case),
                evidence_url=reverse("wagtailsnippets_cases_case:evidence", args=[case.pk]),
                failures=case.case_type_class.check_eligibility(case),
            )
        return context


class CaseCreateView(CaseServiceMixin, CreateView):
    def save_through_service(self, form):
        case = case_create(acting_user=self.request.user, case_type=form.cleaned_data["case_type"],
                           school=_school_of(self.request.user), student=form.cleaned_data.get("student"),
                           **{k: v for k, v in form.case_fields().items() if v not in (None, "")})
        self.new_revision = case.latest_revision
        return case


class CaseEditView(CaseServiceMixin, EditView):
    def save_through_service(self, form):
        if self.object.state not in (m.CaseState.DRAFT, m.CaseState.RETURNED):
            return self.object  # decided or under review: the buttons act, the fields do not change
        changes = {k: v for k, v in form.case_fields().items()
                   if (k in form.changed_data or k == "destination_school") and not form.fields.get(k, forms.Field()).disabled}
        case = case_update_draft(acting_user=self.request.user, case=self.object, changes=changes)
        self.new_revision = case.latest_revision
        return case


class CaseWorkflowActionView(WorkflowActionView):
    """The approve/reject modal: a rule failure at final approval is shown, not a 500."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as error:
            for item in rule_errors(error):
                messages.error(request, f"{item['message']}({item['article']})" if item["article"] else item["message"])
            return redirect(reverse("wagtailsnippets_cases_case:edit", args=[self.object.pk]))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"))
    file = forms.FileField(label=_("文件(PDF/JPEG/PNG)"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = case.case_type_class.required_evidence(case)
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds] + [("other", "其他材料")]


class EvidenceUploadView(FormView):
    """Attach one piece of evidence to a case the user may edit (write scope), via the service."""

    http_method_names = ["post"]

    def dispatch(self, request, pk):
        self.case = get_object_or_404(access.in_scope(request.user, m.Case), pk=pk)
        return super().dispatch(request, pk)

    def get_form(self, form_class=None):
        return EvidenceForm(self.request.POST, self.request.FILES, case=self.case)

    def form_valid(self, form):
        try:
            evidence_attach(acting_user=self.request.user, case=self.case, kind=form.cleaned_data["kind"],
                            uploaded_file=form.cleaned_data["file"])
            messages.success(self.request, "证明材料已上传")
        except ValidationError as error:
            for item in rule_errors(error):
                messages.error(self.request, item["message"])
        return redirect("wagtailsnippets_cases_case:edit", self.case.pk)

    def form_invalid(self, form):
        messages.error(self.request, "请选择材料类别并上传文件")
        return redirect("wagtailsnippets_cases_case:edit", self.case.pk)


class CaseViewSet(ScopedSnippetViewSet):
    model = m.Case
    icon = "doc-full-inverse"
    menu_label = _("学籍变动")
    add_to_admin_menu = True
    menu_order = 90
    add_view_class = CaseCreateView
    edit_view_class = CaseEditView
    workflow_action_view_class = CaseWorkflowActionView
    edit_template_name = "cases/admin/case_edit.html"
    edit_handler = CASE_PANELS
    list_display = [
        "number",
        Column("type_name", label=_("变动类型")),
        "student",
        "school",
        "destination_school",
        "state",
        "submitted_at",
    ]
    list_filter = ["state"]
    list_export = ["number", "type_name", "student", "school", "destination_school", "get_state_display",
                   "submitted_at", "decided_at"]
    export_headings = {"type_name": "变动类型", "get_state_display": "状态"}
    export_filename = "cases"
    search_fields = ["number", "student__name", "student__registry_number"]
    search_backend_name = None
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "school", "destination_school")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("evidence/<int:pk>/", EvidenceUploadView.as_view(), name="evidence"),
        ]
