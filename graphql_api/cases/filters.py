import graphene
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast

from cases import models as m
from cases.workflow import task_states_awaiting, task_states_overdue
from graphql_api.core import enums
from graphql_api.core.filters import ApiFilterSet, InputFilter, NodeFilter, Ordering
from graphql_api.core.ids import decode_or_error

from .loaders import case_ct


def _case_ids(states):
    return (states.filter(workflow_state__base_content_type=case_ct())
            .annotate(case_id=Cast("workflow_state__object_id", BigIntegerField())).values("case_id"))


class CaseFilter(ApiFilterSet):
    case_type = InputFilter(field_name="case_type", label="变动类型代码,如 transfer")
    state = InputFilter(enums.CaseState, field_name="state", label="案卷状态")
    number = InputFilter(field_name="number", label="案卷编号")
    student = NodeFilter("StudentNode", field_name="student_id", label="学生")
    school = InputFilter(graphene.ID, method="filter_school", label="学校(办理学校或转入学校)")
    awaiting_me = InputFilter(graphene.Boolean, method="filter_awaiting_me", label="待我审批")
    overdue = InputFilter(graphene.Boolean, method="filter_overdue", label="逾期未办(本单位及下级)")
    order_by = Ordering("created_at", "submitted_at", "decided_at", "number")

    class Meta(ApiFilterSet.Meta):
        model = m.Case

    def filter_school(self, queryset, name, value):
        from graphql_api.registry.types import SchoolNode

        pk = decode_or_error(value, SchoolNode)
        return queryset.filter(Q(school_id=pk) | Q(destination_school_id=pk))

    def filter_awaiting_me(self, queryset, name, value):
        ids = _case_ids(task_states_awaiting(self.request.user))
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)

    def filter_overdue(self, queryset, name, value):
        ids = _case_ids(task_states_overdue(self.request.user))
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
