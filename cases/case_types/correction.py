"""信息变更 Correction of name, birth date, native place (第十五条): the parent applies through
the school with a household-register copy; the school reviews, the authority approves; the old
values stay in the archive."""

import datetime

from cases.services.students import CORRECTABLE_FIELDS, student_correct

from . import register
from .base import AUTHORITY_APPROVAL, SCHOOL_REVIEW, CaseType, EvidenceKind, rule
from .effects import record

HOUSEHOLD_COPY = EvidenceKind("household_register_copy", "《居民户口簿》或其他证明文件复印件")


def proposed_changes(case):
    """The corrected values in ``details["changes"]``, typed; only those that differ."""
    changes = {}
    for field, value in ((case.details or {}).get("changes") or {}).items():
        if field == "birth_date" and isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                value = None
        if case.student_id and getattr(case.student, field, None) != value:
            changes[field] = value
    return changes


@register
class Correction(CaseType):
    code = "correction"
    changes_status = False  # the registration's status is untouched
    name = "学籍信息变更"
    articles = ("第十五条",)
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    evidence = {"*": (HOUSEHOLD_COPY,)}

    def validate(self, case):
        errors = super().validate(case)
        requested = (case.details or {}).get("changes") or {}
        if not requested or set(requested) - CORRECTABLE_FIELDS:
            errors.append(rule("correction_fields", "请填写要变更的姓名、出生日期、籍贯等信息", "第十五条", field="details"))
        elif "birth_date" in requested and proposed_changes(case).get("birth_date", True) is None:
            errors.append(rule("correction_birth_date", "出生日期格式应为 YYYY-MM-DD", "第十五条", field="details"))
        return errors

    def check_eligibility(self, case):
        if not proposed_changes(case):
            return [rule("correction_nothing_changes", "变更后的信息与原信息相同", "第十五条")]
        return []

    def apply(self, case, *, acting_user):
        student_correct(acting_user=acting_user, student=case.student, changes=proposed_changes(case), case=case)
        record(case, acting_user=acting_user)  # the evidence; student_correct wrote the change
