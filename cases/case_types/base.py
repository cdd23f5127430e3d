"""What every case type declares. One subclass per module in this package, each citing its
articles; ``CASE_TYPES`` maps codes to instances."""

import datetime
from dataclasses import dataclass

from cases.errors import RuleError


@dataclass(frozen=True)
class Step:
    """An approval step: ``level`` school / authority / exam, on the origin or destination side."""

    level: str
    side: str = "origin"
    label: str = ""
    working_days: int = 10


SCHOOL_REVIEW = Step("school", label="学校审核")
AUTHORITY_APPROVAL = Step("authority", label="学籍主管部门审批")


@dataclass(frozen=True)
class EvidenceKind:
    code: str
    label: str


def detail_date(case, key):
    """``case.details[key]`` as a date, or None when missing or not YYYY-MM-DD (details is JSON)."""
    value = (case.details or {}).get(key)
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def rule(code, message, article, *, generally=False, field=None):
    """A failed eligibility rule. ``generally`` marks 一般不予 rules the approving authority
    may override with a recorded reason."""
    error = RuleError(code, message, article=article, field=field)
    error.generally = generally
    return error


class CaseType:
    """Declared per type as class attributes; ``@register`` keeps one instance per type."""

    code = ""
    name = ""
    articles = ()
    # Steps of the full chain, in order; ``approval_chain`` may leave some out for a case.
    steps = ()
    reasons = {}  # reason code → label
    # reason code (or "*" for any) → evidence kinds required
    evidence = {}

    # A status-changing type changes the student's registration when approved. At most one
    # such case per student is open (in review or returned) at a time, decided at submission,
    # unless each type names the other here: two changes that cannot both apply never race.
    changes_status = True
    compatible_with = frozenset()

    def compatible(self, other):
        return (not self.changes_status or not other.changes_status
                or (other.code in self.compatible_with and self.code in other.compatible_with))

    def student_required(self, case):
        """Most cases concern one registered student; batches and transfers in do not."""
        return True

    # --- declared per type ----------------------------------------------------------------
    def required_evidence(self, case):
        kinds = list(self.evidence.get("*", ()))
        kinds += [k for k in self.evidence.get(case.reason, ()) if k not in kinds]
        return kinds

    def approval_chain(self, case):
        """The steps that apply to this case (default: all)."""
        return list(self.steps)

    def check_eligibility(self, case):
        """Every failed rule, as a list of RuleError (empty when eligible)."""
        return []

    def validate(self, case):
        """Required fields of the case document itself, as RuleErrors."""
        errors = []
        if self.reasons and case.reason not in self.reasons:
            errors.append(rule("case_reason", "请选择事由类别", "", field="reason"))
        if case.effective_on is None:
            errors.append(rule("case_effective_on", "请填写生效日期", "", field="effective_on"))
        return errors

    def registration_status(self, case):
        return case.registration.status if case.registration_id else None

    def apply(self, case, *, acting_user):
        """Change the registry: the only code that does so for this case type."""
        raise NotImplementedError

    # --- helpers --------------------------------------------------------------------------
    def evidence_labels(self, case):
        return [kind.label for kind in self.required_evidence(case)]
