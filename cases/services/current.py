"""The student's current registration, kept in step by every service that opens or closes a
registration (in the same transaction): ``Student.current_registration`` is the open
registration, else the latest closed one; ``current_school`` and ``scope_code`` copy its school
so that scoped lists and searches are index range scans on the student table.

``Registration.student_elsewhere`` follows: whether the student's current school is under
another supervising unit than this registration's school. A unit's former students (第十四条)
are its schools' registrations with the flag, a short partial index, instead of a join over
every closed registration of the unit's schools (cases.access.former_student_ids). With the
flag, ``former_scope_code`` and ``former_registry_number`` copy the school's code and the
student's number (NULL without it): a county's former students in registry-number order are
one index range (cases.access.former_keys). Whatever changes either (a school's supervising
unit, a student's number) refreshes the registrations it touches here."""

from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from cases.models import OPEN_STATUSES, Registration, School, Student


def _latest(field):
    latest = Registration.objects.filter(student=OuterRef("pk")).order_by(
        Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()), "-id"
    )
    return Subquery(latest.values(field)[:1])


def _elsewhere():
    """For a registration row: its school's scope differs from its student's current scope."""
    student_scope = Student.objects.filter(pk=OuterRef(OuterRef("student_id"))).values("scope_code")[:1]
    return ~Exists(School.objects.filter(pk=OuterRef("school_id"), scope_code=Subquery(student_scope)))


def registrations_refresh_elsewhere(registrations):
    """One UPDATE of ``student_elsewhere`` and its copies over a queryset of registrations."""
    elsewhere = _elsewhere()

    def copy(model, key, field):
        value = Subquery(model.objects.filter(pk=OuterRef(key)).values(field)[:1])
        return Case(When(elsewhere, then=value), default=None, output_field=CharField())

    return registrations.update(student_elsewhere=elsewhere,
                                former_scope_code=copy(School, "school_id", "scope_code"),
                                former_registry_number=copy(Student, "student_id", "registry_number"))


def students_refresh_current(student_ids):
    """Two UPDATEs for any number of students (no query per student)."""
    student_ids = list(student_ids)
    updated = Student.objects.filter(pk__in=student_ids).update(
        current_registration=_latest("pk"),
        current_school=_latest("school_id"),
        scope_code=Coalesce(_latest("school__scope_code"), Value("")),
    )
    registrations_refresh_elsewhere(Registration.objects.filter(student_id__in=student_ids))
    return updated


def school_scope_changed(school: School):
    """A school's supervising unit changed: its current students follow it (one UPDATE), and
    the flags of every registration of anyone who was ever there (one UPDATE)."""
    moved = Student.objects.filter(current_school=school).update(scope_code=school.scope_code)
    ever_there = Registration.objects.filter(school=school).values("student_id")
    registrations_refresh_elsewhere(Registration.objects.filter(student_id__in=ever_there))
    return moved
