"""Case documents in the Wagtail admin: a snippet with a workflow whose every button goes
through the case services (create, edit the draft, attach evidence, submit, decide, withdraw)."""

import datetime

from django import forms
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import CreateView, EditView, InspectView, WorkflowActionView

from cases import access
from cases import models as m
from cases.case_types import CASE_TYPES, get_case_type
from cases.case_types.fields import DATE, SCHOOL
from cases.errors import RuleError, rule_errors
from cases.services.cases import (
    case_approve,
    case_create,
    case_preview,
    case_override,
    case_reject,
    case_editable_by,
    case_submit,
    case_update_draft,
    case_withdraw,
    evidence_attach,
    may_withdraw,
    missing_evidence,
)
from cases.workflow import approver_for, current_step, steps_of, user_may_act

from .case_fields import LookupView, clean_declared, form_field, initial_value
from .widgets import ChineseFileInput

from .filters import CaseFilterSet
from .scoping import ScopedSnippetViewSet, ServiceFormMixin


class CaseForm(WagtailAdminModelForm):
    """The fields of the case's type, from its declaration; the type is fixed once created."""

    class Meta:
        model = m.Case
        fields = []

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        case = self.instance
        code = case.case_type or self.data.get("case_type")
        self.case_type = get_case_type(code)
        self.declared = {}
        if self.case_type is None:
            return
        if not case.pk:
            self.fields["case_type"] = forms.CharField(widget=forms.HiddenInput, initial=code)
        school = case.school if case.school_id else None
        for item in self.case_type.all_fields():
            field = form_field(item, case_type=self.case_type, case=case if case.pk else None, school=school,
                               user=for_user)
            self.fields[item.key] = field
            if case.pk:
                self.initial[item.key] = initial_value(item, self.case_type, case)
        if case.pk:
            if "student" in self.fields:
                self.fields["student"].disabled = True  # the case's subject is fixed
            if case.registration_id and "stage" in self.fields:  # the stage is the registration's
                self.fields["stage"].disabled = True
            if not case_editable_by(case, for_user):
                # Under review, decided, or an approver's view: the document is read-only and
                # the footer buttons act on the workflow, so nothing here is validated or saved.
                for field in self.fields.values():
                    field.disabled = True

    def add_error(self, field, error):
        # A row's error (people[2].birth_date) goes on its list field.
        if field and field not in self.fields:
            head = field.split("[")[0].split(".")[0]
            field = head if head in self.fields else None
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        if self.case_type is not None:
            self.declared = clean_declared(self, self.case_type, [i.key for i in self.case_type.all_fields()])
        return cleaned

    def case_fields(self):
        """{column: value, "details": {...}} for the services, from the declared values."""
        fields, details = {}, {}
        for item in self.case_type.all_fields():
            if item.key == "student" or item.key not in self.fields or self.fields[item.key].disabled:
                continue
            value = self.declared.get(item.key)
            if not item.column:
                if value not in (None, [], {}):
                    details[item.key] = value
            elif item.kind == DATE:
                fields[item.name] = datetime.date.fromisoformat(value) if value else None
            elif item.kind == SCHOOL:
                fields[item.name] = m.School.objects.filter(pk=value).first() if value else None
            else:
                fields[item.name] = value if value is not None else ""
        fields["details"] = self.case_type.nest(details)
        return fields

    def chosen_student(self, user):
        pk = self.declared.get("student")
        if not pk:
            return None
        student = access.pickable(user, "student").filter(pk=pk).first()
        if student is None:
            raise RuleError("case_student_not_at_school", "请选择本校在籍学生", field="student")
        return student


CASE_PANELS = ObjectList([], base_form_class=CaseForm)


def _school_of(user):
    profile = access.profile_of(user)
    if profile is None or profile.school is None:
        raise PermissionDenied  # cases are opened by the school that handles them
    return profile.school


def is_final_step(case, state):
    """Would approving ``state`` finish the case? True when no later step of the workflow
    applies to it (the same rules as ``task_start``: not in the chain, or an approver who has
    already approved)."""
    tasks = [wt.task.specific for wt in state.workflow_state.workflow.workflow_tasks.select_related("task")
             .order_by("sort_order")]
    later = tasks[[t.pk for t in tasks].index(state.task_id) + 1:] if state.task_id in [t.pk for t in tasks] else []
    chain = {(s.level, s.side) for s in case.case_type_class.approval_chain(case)}
    approved = {(state.approver_code, state.approver_school_id, state.task.specific.level)}
    approved |= {(s.approver_code, s.approver_school_id, s.task.specific.level) for s in steps_of(case)
                 if s.status == "approved"}
    for task in later:
        code, school = approver_for(task, case)
        if (task.level, task.side) in chain and code and (code, getattr(school, "pk", None), task.level) not in approved:
            return False
    return True


class CaseServiceMixin(ServiceFormMixin):
    """Every action button of the case editor is a service call."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False  # every save is a service call with its audit entry

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
        context["side_panels"] = []  # Wagtail's status panel speaks of publishing and moderation
        context["case_form_media"] = True
        # The stored case, not the draft revision the editor shows: steps and evidence live there.
        case = getattr(self, "live_object", None) or getattr(self, "object", None)
        form = context.get("form")
        case_type = getattr(form, "case_type", None)
        context["case_type"] = case_type
        context["check_url"] = (reverse("wagtailsnippets_cases_case:check", args=[case.pk]) if case is not None and case.pk
                                else reverse("wagtailsnippets_cases_case:check"))
        if case_type is not None and (case is None or not case.pk):
            context["evidence_plan"] = evidence_plan(case_type)
        if case is not None and case.pk:
            context.update(case_page_context(case, self.request.user))
        return context


def evidence_plan(case_type):
    """[(when, [labels])]: the evidence a type needs, listed before anything is uploaded."""
    plan = []
    if case_type.evidence.get("*"):
        plan.append(("均须提交", [k.label for k in case_type.evidence["*"]]))
    for reason, kinds in case_type.evidence.items():
        if reason != "*" and kinds:
            plan.append((f"事由为“{case_type.reasons.get(reason, reason)}”时另须提交", [k.label for k in kinds]))
    return plan


def unit_names(steps):
    """{approver code: the authority's name} for the steps table (one query)."""
    codes = {s.approver_code for s in steps if not s.approver_school_id}
    return dict(m.Jurisdiction.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def case_page_context(case, user):
    """What the case page shows: fields in Chinese, steps, evidence, the rules that fail now
    (never for an approved case: they were checked when it was decided) and what this user
    may do about them."""
    state = current_step(case)
    steps = list(steps_of(case))
    may_decide = state is not None and user_may_act(state, user)
    failures = [] if case.state == m.CaseState.APPROVED else case.case_type_class.check_eligibility(case)
    overridden = {item["code"]: item for item in case.overrides}
    may_override = may_decide and not state.approver_school_id
    return {
        "case": case,
        "fields_display": case.case_type_class.display(case, user=user),
        "evidence": case.evidence.select_related("document"),
        "evidence_labels": {k.code: k.label for k in case.case_type_class.required_evidence(case)},
        "missing_evidence": missing_evidence(case),
        "steps": steps,
        "unit_names": unit_names(steps),
        "evidence_form": EvidenceForm(case=case),
        "evidence_url": reverse("wagtailsnippets_cases_case:evidence", args=[case.pk]),
        "blocking": [e for e in failures if not getattr(e, "generally", False)],
        "warnings": [{"error": e, "override": overridden.get(e.code)} for e in failures
                     if getattr(e, "generally", False)],
        "overrides": case.overrides,
        "may_override": may_override,
        "may_decide": may_decide,
        "is_final_step": may_decide and is_final_step(case, state),
        # The approver of the step returns the case (退回); withdrawing is the submitting side's.
        "may_withdraw": (case.state in (m.CaseState.IN_REVIEW, m.CaseState.RETURNED) and may_withdraw(case, user)
                         and not may_decide),
        "may_edit": case_editable_by(case, user),
        "decide_url": reverse("wagtailsnippets_cases_case:decide", args=[case.pk]),
        "withdraw_url": reverse("wagtailsnippets_cases_case:withdraw", args=[case.pk]),
        "override_url": reverse("wagtailsnippets_cases_case:override", args=[case.pk]),
    }


class CaseTypeChoiceMixin:
    """The create view first asks which kind of case (with the articles and evidence of
    each), then shows that type's form."""

    def dispatch(self, request, *args, **kwargs):
        self.chosen_type = request.POST.get("case_type") or request.GET.get("type")
        if get_case_type(self.chosen_type or "") is None:
            if self.chosen_type:
                messages.error(request, "没有这种学籍变动类型,请从下列类型中选择")
            return TemplateResponse(request, "cases/admin/case_type_choice.html", {
                "types": [(code, t, evidence_plan(t)) for code, t in CASE_TYPES.items()],
                "add_url": reverse("wagtailsnippets_cases_case:add"),
            })
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = kwargs.get("instance") or m.Case()
        instance.case_type = self.chosen_type
        profile = access.profile_of(self.request.user)
        if profile is not None and profile.school_id:
            instance.school = profile.school
        kwargs["instance"] = instance
        return kwargs


class CaseCreateView(CaseTypeChoiceMixin, CaseServiceMixin, CreateView):

    def save_through_service(self, form):
        fields = form.case_fields()
        details = fields.pop("details")
        case = case_create(acting_user=self.request.user, case_type=form.case_type.code,
                           school=_school_of(self.request.user), student=form.chosen_student(self.request.user),
                           details=details, **{k: v for k, v in fields.items() if v not in (None, "")})
        self.new_revision = case.latest_revision
        return case

    def get_success_url(self):
        return reverse("wagtailsnippets_cases_case:edit", args=[self.object.pk])

    def get_success_message(self, instance=None):
        return f"案卷 {self.object.number} 已保存为草稿。请上传证明材料后提交。"


class CaseEditView(CaseServiceMixin, EditView):
    def save_through_service(self, form):
        if not case_editable_by(self.object, self.request.user):
            return self.object  # decided or under review: the buttons act, the fields do not change
        case = case_update_draft(acting_user=self.request.user, case=self.object, changes=form.case_fields())
        self.new_revision = case.latest_revision
        return case

    def get_success_url(self):
        return reverse("wagtailsnippets_cases_case:edit", args=[self.object.pk])  # the case, with its new state

    def get_error_message(self):
        if "action-submit" in self.request.POST:
            return "案卷未能提交,请按下方提示修改"
        return "案卷未能保存,请按下方提示修改"

    def get_success_message(self, instance=None):
        if "action-submit" in self.request.POST:
            return f"案卷 {self.object.number} 已提交审批"
        return f"案卷 {self.object.number} 已保存"


class CaseInspectView(InspectView):
    """查看 of a case is the case's own page (fields in Chinese, steps, evidence): Wagtail's
    field dump would show type and reason codes, the details JSON and English field names. The
    scope guard runs first (``ScopedSnippetViewSet.construct_view``), so an out-of-scope case
    answers 404 like a missing one, never a redirect that tells it exists."""

    def get(self, request, *args, **kwargs):
        return redirect("wagtailsnippets_cases_case:edit", self.object.pk)


class CaseWorkflowActionView(WorkflowActionView):
    """The approve/reject modal: a rule failure at final approval is shown, not a 500."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as error:
            for item in rule_errors(error):
                messages.error(request, f"{item['message']}({item['article']})" if item["article"] else item["message"])
            return redirect(reverse("wagtailsnippets_cases_case:edit", args=[self.object.pk]))


class CheckView(View):
    """The form's live check: what is entered so far, checked as saving and submitting would
    check it (declared requirements, the type's own fields, every rule), nothing written."""

    http_method_names = ["post"]

    def post(self, request, pk=None):
        case = get_object_or_404(access.in_scope(request.user, m.Case), pk=pk) if pk else None
        instance = case or m.Case(case_type=request.POST.get("case_type", ""))
        profile = access.profile_of(request.user)
        if case is None and profile is not None and profile.school_id:
            instance.school = profile.school
        if get_case_type(instance.case_type) is None or not instance.school_id:
            return JsonResponse({"problems": []})
        form = CaseForm(request.POST, instance=instance, for_user=request.user)
        problems = []
        if form.is_valid():
            try:
                fields = form.case_fields()
                preview = case_preview(acting_user=request.user, case_type=instance.case_type,
                                       school=instance.school, case=case,
                                       student=None if case else form.chosen_student(request.user), **fields)
                found = preview.case_type_class.check_fields(preview)
                if not found and (preview.student_id or not preview.case_type_class.student_required(preview)):
                    found = preview.case_type_class.check_eligibility(preview)
                problems = [_problem(e) for e in found]
            except PermissionDenied:
                return JsonResponse({"problems": []}, status=403)
            except ValidationError as error:
                problems = [_problem(e) for e in error.error_list]
        else:
            problems = [{"field": key, "message": str(message), "article": "", "generally": False}
                        for key, messages_ in form.errors.items() for message in messages_]
        return JsonResponse({"problems": problems})


def _problem(error):
    message = error.message % error.params if getattr(error, "params", None) else error.message
    return {"field": getattr(error, "field", None), "message": str(message), "article": getattr(error, "article", ""),
            "generally": bool(getattr(error, "generally", False))}


class CaseActionView(View):
    """A POST from one of the case page's dialogs, answered by one service call; a refusal
    comes back as a message on the case page, in Chinese with its article."""

    http_method_names = ["post"]
    done = ""

    def post(self, request, pk):
        case = get_object_or_404(access.in_scope(request.user, m.Case), pk=pk)
        try:
            self.act(request, case)
            messages.success(request, self.done)
        except PermissionDenied:
            messages.error(request, "您无权办理此操作")
        except ValidationError as error:
            for item in rule_errors(error):
                messages.error(request, f"{item['message']}({item['article']})" if item["article"] else item["message"])
        return redirect("wagtailsnippets_cases_case:edit", case.pk)


class DecideView(CaseActionView):
    """同意 / 退回 the current step (a return needs a comment, checked in the dialog too)."""

    def act(self, request, case):
        action = request.POST.get("action")
        comment = request.POST.get("comment", "").strip()
        if action == "approve":
            case = case_approve(acting_user=request.user, case=case, comment=comment)
            self.done = "已同意;案卷已办结生效" if case.state == m.CaseState.APPROVED else "已同意,案卷转入下一步审批"
        elif action == "reject":
            if not comment:
                raise RuleError("reject_comment_required", "退回时须填写意见", field="comment")
            case_reject(acting_user=request.user, case=case, comment=comment)
            self.done = "已退回经办学校修改"
        else:
            raise PermissionDenied


class WithdrawView(CaseActionView):
    done = "案卷已撤回,可修改后重新提交"

    def act(self, request, case):
        case_withdraw(acting_user=request.user, case=case)


class OverrideView(CaseActionView):
    done = "已特批,理由已记录"

    def act(self, request, case):
        case_override(acting_user=request.user, case=case, rule_code=request.POST.get("rule_code", ""),
                      reason=request.POST.get("reason", ""))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"))
    file = forms.FileField(label=_("文件(PDF/JPEG/PNG)"), widget=ChineseFileInput)

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


def case_document_pdf(case, user):
    """The case as a PDF (its type's template, the steps and the evidence): WeasyPrint, the
    certificates' font setup. The students it names are logged as read (第三十八条)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import timezone
    from weasyprint import HTML

    from cases.case_types import fields as f
    from cases.services.reads import student_reads_record

    case_type = case.case_type_class
    steps = list(steps_of(case))
    names = unit_names(steps)
    labels = {k.code: k.label for k in case_type.required_evidence(case)}

    def day(moment):
        return f.chinese_date(timezone.localtime(moment).date()) if moment else ""

    context = {
        "case": case, "fields_display": case_type.display(case, user=user), "for_print": True,
        "articles": "、".join(case_type.articles), "submitted_on": day(case.submitted_at),
        "decided_on": day(case.decided_at),
        "steps": [{"step": s.task.name, "status": s.get_status_display(), "comment": s.comment,
                   "unit": s.approver_school.name if s.approver_school_id else names.get(s.approver_code, ""),
                   "by": (s.finished_by.get_full_name() or s.finished_by.get_username()) if s.finished_by_id else "",
                   "at": day(s.finished_at)} for s in steps],
        "evidence": [{"label": labels.get(e.kind, "其他材料"), "title": e.document.title, "at": day(e.uploaded_at)}
                     for e in case.evidence.select_related("document")],
        "printed_by": user.get_full_name() or user.get_username(), "printed_on": day(timezone.now()),
    }
    pdf = HTML(string=render_to_string("cases/case_document_pdf.html", context),
               base_url=str(settings.BASE_DIR)).write_pdf()
    students = {case.student_id} if case.student_id else set()
    rolls = [pk for item in case_type.all_fields() if item.kind == f.REGISTRATIONS
             for pk in case_type.value(case, item.key) or []]
    if rolls:
        students |= set(m.Registration.objects.filter(pk__in=rolls).values_list("student_id", flat=True))
    student_reads_record(acting_user=user, students=sorted(students), door=m.ReadDoor.CASE_PDF,
                         what=f"案卷 {case.number}")
    return pdf


class CasePdfView(View):
    """打印案卷: the case document as a PDF, for whoever may read the case (404 otherwise)."""

    def get(self, request, pk):
        from django.http import HttpResponse

        case = get_object_or_404(access.in_scope(request.user, m.Case).select_related("school", "destination_school"),
                                 pk=pk)
        response = HttpResponse(case_document_pdf(case, request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.number}.pdf"'
        return response


class CaseViewSet(ScopedSnippetViewSet):
    model = m.Case
    icon = "doc-full-inverse"
    menu_label = _("学籍变动")
    add_to_admin_menu = True
    menu_order = 90
    add_view_class = CaseCreateView
    edit_view_class = CaseEditView
    inspect_view_class = CaseInspectView
    workflow_action_view_class = CaseWorkflowActionView
    edit_template_name = "cases/admin/case_edit.html"
    create_template_name = "cases/admin/case_create.html"
    edit_handler = CASE_PANELS
    list_display = [
        "number",
        Column("type_name", label=_("变动类型")),
        Column("subject_label", label=_("学生")),  # a batch: 新生名单 3 人
        "school",
        "destination_school",
        "state",
        "submitted_at",
    ]
    filterset_class = CaseFilterSet  # type, state, school, step, overdue, waiting for me
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
            path("decide/<int:pk>/", DecideView.as_view(), name="decide"),
            path("withdraw/<int:pk>/", WithdrawView.as_view(), name="withdraw"),
            path("override/<int:pk>/", OverrideView.as_view(), name="override"),
            path("lookup/", LookupView.as_view(), name="lookup"),
            path("pdf/<int:pk>/", CasePdfView.as_view(), name="pdf"),
            path("check/", CheckView.as_view(), name="check"),
            path("check/<int:pk>/", CheckView.as_view(), name="check"),
        ]
