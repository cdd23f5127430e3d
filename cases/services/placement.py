"""分班: placing students in classes, one or many at a time (a school's job).

Set-based: one locking read of the registrations, one UPDATE, one INSERT of audit entries
(one per moved student, with the class it left), whatever the number of students."""

from django.db import transaction

from cases import access
from cases.audit import audit_many
from cases.errors import RuleError
from cases.models import OPEN_STATUSES, Registration


@transaction.atomic
def registrations_assign_class(*, acting_user, registrations, school_class, reason):
    """Put every registration in ``school_class``. All or nothing: a registration closed, of
    another school or stage, or out of the user's write scope refuses the whole batch, and the
    error names the students concerned."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("placement_reason_required", "请填写分班(调班)事由", field="reason")
    pks = sorted({r.pk for r in registrations})
    if not pks:
        raise RuleError("placement_empty", "请至少选择一名学生", field="registrations")
    rows = list(Registration.objects.select_for_update(of=("self",)).filter(pk__in=pks)
                .select_related("student", "school", "school_class"))
    if acting_user is not None and not acting_user.is_superuser:
        writable = set(access.in_scope(acting_user, Registration, Registration.objects.filter(pk__in=pks),
                                       actions=["change"]).values_list("pk", flat=True))
        if len(writable) != len(pks):
            raise RuleError("placement_out_of_scope", "所选学生中有不属于本单位在籍学生的记录")
    wrong = [r for r in rows if r.school_id != school_class.school_id or r.stage != school_class.stage
             or r.status not in OPEN_STATUSES]
    if wrong:
        names = "、".join(r.student.name for r in wrong[:10]) + ("等" if len(wrong) > 10 else "")
        raise RuleError("class_mismatch", f"{names}:学籍不在该班级所属学校和学段,或学籍已关闭", field="school_class")
    moved = [r for r in rows if r.school_class_id != school_class.pk]
    previous = {r.pk: str(r.school_class) if r.school_class_id else "" for r in moved}
    Registration.objects.filter(pk__in=[r.pk for r in moved]).update(school_class=school_class)
    audit_many(moved, "xueji.registration.class", acting_user=acting_user,
               data=lambda r: {"from": previous[r.pk], "to": str(school_class), "reason": reason},
               scope=(school_class.school.scope_code, school_class.school_id))
    return len(moved)
