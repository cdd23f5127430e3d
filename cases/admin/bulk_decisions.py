"""批量审核 in the case list: select cases waiting at my step → 批量同意 or 批量退回. Each case
is decided through the same service (and task ``on_action``) as a single decision; the
result page lists what was decided and, for each failure, its reasons."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from cases import access
from cases import models as m
from cases.edge import is_digits
from cases.errors import rule_errors
from cases.services.decisions import cases_decide
from cases.workflow import task_states_awaiting

MAX_CASES = 200


class DecisionForm(forms.Form):
    comment = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        if action == "reject":
            self.fields["comment"].required = True
            self.fields["comment"].label = "退回意见(必填)"
            self.fields["comment"].error_messages["required"] = "批量退回须填写意见"


class BulkDecisionAction(SnippetBulkAction):
    template_name = "cases/admin/bulk_decide.html"
    models = [m.Case]
    decision = None

    def get_form_class(self):
        return DecisionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "action": self.decision}

    @cached_property
    def _selection(self):
        """(cases waiting at the user's step, others selected): scoped; ids out of scope vanish."""
        ids = [i for i in self.request.GET.getlist("id") if is_digits(i)][:MAX_CASES]
        cases = list(access.in_scope(self.request.user, m.Case, m.Case.objects.filter(pk__in=ids))
                     .select_related("student", "school").order_by("number"))
        waiting = set(task_states_awaiting(self.request.user).filter(
            workflow_state__object_id__in=[str(c.pk) for c in cases]).values_list("workflow_state__object_id",
                                                                                  flat=True))
        return [c for c in cases if str(c.pk) in waiting], [c for c in cases if str(c.pk) not in waiting]

    def get_actionable_objects(self):
        waiting, others = self._selection
        return waiting, {"items_with_no_access": others}

    def object_context(self, case):
        return {"item": case}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(decision=self.decision, action_label=self.display_name)
        return context

    def form_valid(self, form):
        waiting, _others = self._selection
        try:
            result = cases_decide(acting_user=self.request.user, cases=waiting, action=self.decision,
                                  comment=form.cleaned_data["comment"])
        except ValidationError as error:
            for item in rule_errors(error):
                form.add_error("comment" if item["field"] == "comment" else None, item["message"])
            return self.form_invalid(form)
        return render(self.request, "cases/admin/bulk_decide_result.html", {
            "result": result, "action_label": self.display_name, "next": self.next_url,
        })

    @classmethod
    def execute_action(cls, objects, **kwargs):  # form_valid decides through the service
        raise NotImplementedError


class BulkApproveAction(BulkDecisionAction):
    display_name = _("批量同意")
    action_type = "approve_many"
    aria_label = _("同意选中的案卷")
    action_priority = 10
    decision = "approve"


class BulkRejectAction(BulkDecisionAction):
    display_name = _("批量退回")
    action_type = "reject_many"
    aria_label = _("退回选中的案卷")
    action_priority = 20
    decision = "reject"
    classes = {"serious"}
