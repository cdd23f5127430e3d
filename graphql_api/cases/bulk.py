"""批量审核: approve or return many cases waiting at the caller's step; each is decided on its
own (cases/services/decisions.py), failures come back with their reasons."""

import graphene

from cases import models as m
from cases.services.decisions import cases_decide
from graphql_api.core.ids import InvalidId, decode
from graphql_api.core.mutations import BadId, NotFound, ServiceMutation

from .types import CaseNode

MAX_CASES = 200


class DecisionAction(graphene.Enum):
    APPROVE = "approve"
    REJECT = "reject"

    @property
    def description(self):
        return {"approve": "同意", "reject": "退回修改(须填写意见)"}.get(self.value, "审批动作") if self else "审批动作"


class FailedDecision(graphene.ObjectType):
    case = graphene.Field(CaseNode, required=True)
    messages = graphene.List(graphene.NonNull(graphene.String), required=True)


class BulkDecisionResult(graphene.ObjectType):
    decided = graphene.List(graphene.NonNull(CaseNode), required=True)
    failed = graphene.List(graphene.NonNull(FailedDecision), required=True)


class DecideCases(ServiceMutation):
    result = graphene.Field(BulkDecisionResult)

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        action = DecisionAction(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, info, ids, action, comment=""):
        if len(ids) > MAX_CASES:
            from cases.errors import RuleError

            raise RuleError("decision_too_many", f"一次最多审批{MAX_CASES}件", field="ids")
        try:
            pks = [decode(global_id, CaseNode) for global_id in ids]
        except InvalidId:
            raise BadId("ids") from None
        found = {c.pk: c for c in CaseNode.scoped(m.Case.objects.filter(pk__in=pks), info)}
        if len(found) != len(set(pks)):
            raise NotFound("ids")
        outcome = cases_decide(acting_user=info.context.user, cases=[found[pk] for pk in dict.fromkeys(pks)],
                               action=getattr(action, "value", action), comment=comment or "")
        return BulkDecisionResult(decided=outcome.decided,
                                  failed=[FailedDecision(case=case, messages=messages)
                                          for case, messages in outcome.failed])


class BulkCaseMutations(graphene.ObjectType):
    decide_cases = DecideCases.Field()
