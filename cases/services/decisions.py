"""批量审核: an authority decides many cases waiting at its step. Each case is re-checked and
decided on its own, through the same task ``on_action`` as a single decision, in its own
transaction: one that fails is rolled back alone and reported with its reasons."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.errors import RuleError, rule_errors
from cases.services.cases import case_approve, case_reject


@dataclass
class BulkDecision:
    decided: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (case, [messages])


def cases_decide(*, acting_user, cases, action, comment=""):
    if action not in ("approve", "reject"):
        raise RuleError("decision_action", "未知的审批动作")
    comment = (comment or "").strip()
    if action == "reject" and not comment:
        # Checked before any case is touched: a bulk rejection still needs its comment.
        raise RuleError("reject_comment_required", "退回时须填写意见", field="comment")
    decide = case_approve if action == "approve" else case_reject
    result = BulkDecision()
    for case in cases:
        try:
            with transaction.atomic():
                result.decided.append(decide(acting_user=acting_user, case=case, comment=comment))
        except PermissionDenied:
            result.failed.append((case, ["您不是该案卷当前步骤的审批人"]))
        except ValidationError as error:
            result.failed.append((case, [e["message"] + (f"({e['article']})" if e["article"] else "")
                                         for e in rule_errors(error)]))
    return result
