"""信息变更 Correction of name, birth date, native place (第十五条): the parent applies through
the school with a household-register copy; the school reviews, the authority approves; the old
values stay in the archive."""

import datetime

from cases.numbers.id_number import IdNumberError, validate_id_number
from cases.services.students import CORRECTABLE_FIELDS, student_correct

from . import register
from . import fields as f
from .base import AUTHORITY_APPROVAL, GENDERS, SCHOOL_REVIEW, CaseType, EvidenceKind, effective_on, rule
from .fields import Field
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
    _help = "只填写需要更正的项目,以《居民户口簿》为准(第十五条)"
    fields = (
        effective_on("申请日期"),
        Field("name", f.TEXT, "更正后的姓名", _help, "第十五条", group="changes", max_length=50),
        Field("birth_date", f.DATE, "更正后的出生日期", "须与公民身份号码中的出生日期一致", "第十五条", group="changes"),
        Field("gender", f.CHOICE, "更正后的性别", "须与公民身份号码的性别位一致", "第十五条", group="changes",
              choices=GENDERS),
        Field("ethnicity", f.TEXT, "更正后的民族", _help, "第十五条", group="changes", max_length=20),
        Field("native_place", f.TEXT, "更正后的籍贯", _help, "第十五条", group="changes", max_length=100),
    )

    def validate(self, case):
        errors = super().validate(case)
        requested = (case.details or {}).get("changes") or {}
        if not requested or set(requested) - CORRECTABLE_FIELDS:
            errors.append(rule("correction_fields", "请填写要变更的姓名、出生日期、籍贯等信息", "第十五条", field="changes_name"))
        elif "birth_date" in requested and proposed_changes(case).get("birth_date", True) is None:
            errors.append(rule("correction_birth_date", "请填写有效的出生日期", "第十五条", field="changes_birth_date"))
        return errors

    def check_eligibility(self, case):
        changes = proposed_changes(case)
        if not changes:
            return [rule("correction_nothing_changes", "变更后的信息与原信息相同", "第十五条")]
        return self._agrees_with_id_number(case, changes)

    @staticmethod
    def _agrees_with_id_number(case, changes):
        """第十五条: the corrected birth date and gender must agree with the ID number (the
        household register is the evidence); checked when the case is saved and submitted,
        not first at the last approval."""
        student = case.student
        if not student.id_number or not ({"birth_date", "gender"} & set(changes)):
            return []
        try:
            validate_id_number(student.id_number, birth_date=changes.get("birth_date") or student.birth_date,
                               gender=changes.get("gender") or student.gender)
        except IdNumberError as error:
            field = "changes_gender" if error.code == "id_gender_mismatch" else "changes_birth_date"
            what = "性别" if error.code == "id_gender_mismatch" else "出生日期"
            return [rule(f"correction_{error.code}", f"更正后的{what}与公民身份号码({student.id_number})不一致",
                         "第十五条", field=field)]
        return []

    def apply(self, case, *, acting_user):
        student_correct(acting_user=acting_user, student=case.student, changes=proposed_changes(case), case=case)
        record(case, acting_user=acting_user)  # the evidence; student_correct wrote the change
