"""The student's current registration, kept in step by every service that opens or closes a
registration (in the same transaction): ``Student.current_registration`` is the open
registration, else the latest closed one; ``current_school`` and ``scope_code`` copy its school
so that scoped lists and searches are index range scans on the student table."""

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from cases.models import OPEN_STATUSES, Registration, School, Student


def _latest(field):
    latest = Registration.objects.filter(student=OuterRef("pk")).order_by(
        Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()), "-id"
    )
    return Subquery(latest.values(field)[:1])


def students_refresh_current(student_ids):
    """One UPDATE for any number of students (no query per student)."""
    return Student.objects.filter(pk__in=list(student_ids)).update(
        current_registration=_latest("pk"),
        current_school=_latest("school_id"),
        scope_code=Coalesce(_latest("school__scope_code"), Value("")),
    )


def school_scope_changed(school: School):
    """A school's supervising unit changed: its current students follow it (one UPDATE)."""
    return Student.objects.filter(current_school=school).update(scope_code=school.scope_code)
