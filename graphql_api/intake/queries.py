import graphene

from cases import models as m
from graphql_api.core.filters import ApiFilterSet, InputFilter, NodeFilter, Ordering
from graphql_api.core.nodes import ScopedConnectionField

from .types import DuplicateDecisionNode, DuplicateVerdict, IntakeStatus, IntakeUploadNode


class IntakeUploadFilter(ApiFilterSet):
    case = NodeFilter("CaseNode", field_name="case_id", label="案卷")
    status = InputFilter(IntakeStatus, field_name="status", label="状态")
    order_by = Ordering("created_at", "id")

    class Meta(ApiFilterSet.Meta):
        model = m.IntakeUpload


class DuplicateDecisionFilter(ApiFilterSet):
    case = NodeFilter("CaseNode", field_name="case_id", label="案卷")
    verdict = InputFilter(DuplicateVerdict, field_name="verdict", label="裁定")
    order_by = Ordering("decided_at", "id")

    class Meta(ApiFilterSet.Meta):
        model = m.DuplicateDecision


class IntakeQueries(graphene.ObjectType):
    intake_uploads = ScopedConnectionField(IntakeUploadNode, filterset_class=IntakeUploadFilter,
                                           description="新生注册案卷的 Excel 上传(新的在前)")
    duplicate_decisions = ScopedConnectionField(DuplicateDecisionNode, filterset_class=DuplicateDecisionFilter,
                                                description="查重裁定记录(本校的;主管部门为辖区学校的)")
