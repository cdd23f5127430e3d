"""Status changes of a registration and the yearly promotion of classes (第十六条)."""

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from cases.audit import audit
from cases.errors import RuleError
from cases.models import (
    OPEN_STATUSES,
    RegistrationStatus,
    STAGE_YEARS,
    ClassPromotion,
    Registration,
    RegistrationEvent,
    SchoolClass,
)

from .current import students_refresh_current


@transaction.atomic
def registration_open(*, acting_user, student, school, stage, started_on, reason, school_class=None):
    """A new registration for an existing student (transfer in, return from abroad…). The
    database refuses a second open registration; this says so in words first (第九条)."""
    if not school.offers(stage):
        raise RuleError("school_stage", f"{school.name}不设该学段", field="stage", article="第三条")
    if school_class is not None and (school_class.school_id != school.pk or school_class.stage != stage):
        raise RuleError("class_mismatch", "班级不属于该学校或学段", field="school_class")
    if Registration.objects.open().filter(student=student).exists():
        raise RuleError("registration_open_exists", "该学生已有在籍学籍,不能重复建立", article="第九条")
    registration = Registration.objects.create(student=student, school=school, school_class=school_class, stage=stage,
                                               started_on=started_on)
    RegistrationEvent.objects.create(registration=registration, status_to=registration.status, occurred_on=started_on,
                                     reason=reason, recorded_by=acting_user)
    students_refresh_current([student.pk])
    audit(registration, "xueji.registration.status", acting_user=acting_user,
          data={"from": "", "to": registration.status, "reason": reason})
    return registration


@transaction.atomic
def registration_change_status(*, acting_user, registration, status, occurred_on, reason):
    """Record a status change with its history row. The rules of *whether* a change is allowed
    live in the case types; this only guards what must never happen: reopening a closed one."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.is_open:
        raise RuleError("registration_closed", "学籍已关闭,状态不能再变动", article="第九条")
    if status == registration.status:
        raise RuleError("registration_status_same", "学籍状态未改变")
    previous = registration.status
    registration.status = status
    if status not in OPEN_STATUSES:
        registration.ended_on = occurred_on
    registration.save(update_fields=["status", "ended_on"])
    RegistrationEvent.objects.create(registration=registration, status_from=previous, status_to=status,
                                     occurred_on=occurred_on, reason=reason, recorded_by=acting_user)
    if status not in OPEN_STATUSES:  # closing may not change which one is current, but say so in one place
        students_refresh_current([registration.student_id])
    audit(registration, "xueji.registration.status", acting_user=acting_user,
          data={"from": previous, "to": status, "reason": reason})
    return registration


@transaction.atomic
def registration_record_diploma_exchange(*, acting_user, registration, occurred_on, reason):
    """第三十五条: a completer who passes the make-up exams within a year exchanges the
    completion certificate for a diploma. The one change a closed registration may take:
    completed → graduated; it stays closed."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.COMPLETED:
        raise RuleError("completion_exchange_not_completed", "学籍状态不是结业", article="第三十五条")
    registration.status = RegistrationStatus.GRADUATED
    registration.save(update_fields=["status"])
    RegistrationEvent.objects.create(registration=registration, status_from=RegistrationStatus.COMPLETED,
                                     status_to=RegistrationStatus.GRADUATED, occurred_on=occurred_on, reason=reason,
                                     recorded_by=acting_user)
    audit(registration, "xueji.registration.status", acting_user=acting_user,
          data={"from": RegistrationStatus.COMPLETED, "to": RegistrationStatus.GRADUATED, "reason": reason})
    return registration


@transaction.atomic
def registration_set_suspension_end(*, acting_user, registration, until, reason):
    """The end of a suspension, set on suspension and moved on extension (第二十九条)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    previous = registration.suspended_until
    registration.suspended_until = until
    registration.save(update_fields=["suspended_until"])
    audit(registration, "xueji.registration.status", acting_user=acting_user,
          data={"suspended_until": str(until), "previous": str(previous or ""), "reason": reason})
    return registration


@transaction.atomic
def registration_assign_class(*, acting_user, registration, school_class, reason):
    """Move a student to another class of the same school and stage (also how a repeated or
    skipped year is recorded: the student joins a class of another cohort)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if school_class.school_id != registration.school_id or school_class.stage != registration.stage:
        raise RuleError("class_mismatch", "班级不属于该学校或学段", field="school_class")
    previous = registration.school_class
    registration.school_class = school_class
    registration.save(update_fields=["school_class"])
    audit(registration, "xueji.registration.class", acting_user=acting_user,
          data={"from": str(previous) if previous else "", "to": str(school_class), "reason": reason})
    return registration


@transaction.atomic
def classes_promote(*, acting_user, school_year):
    """第十六条: every class moves up one grade a year. The grade is derived from the cohort, so
    this writes one promotion row per class and never a row per student, in two statements for
    the whole province (INSERT … SELECT and one UPDATE), however many classes.
    Idempotent: a class already promoted for ``school_year`` is left alone. Two promotions at
    once take turns on a lock of the promotions' table (PostgreSQL; SQLite serialises writers):
    the second finds every class promoted and writes nothing. So the INSERT needs no ON CONFLICT,
    whose speculative insertion cost 0.4 s of the province's 90,000 rows; the classes' table
    keeps room on each page (fillfactor, migration 0022) for the yearly UPDATE to stay HOT."""
    due = SchoolClass.objects.filter(cohort__lte=school_year).filter(
        Q(promoted_through__isnull=True) | Q(promoted_through__lt=school_year)
    )
    years = Case(*[When(stage=stage, then=Value(n)) for stage, n in STAGE_YEARS.items()], output_field=IntegerField())
    moving = due.annotate(years=years).filter(years__gt=school_year - F("cohort")).order_by().values("pk")
    select_sql, select_params = moving.query.sql_with_params()
    table, classes = ClassPromotion._meta.db_table, SchoolClass._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"INSERT INTO {table} (school_class_id, school_year, grade, promoted_at) "
            f"SELECT c.id, %s, %s - c.cohort + 1, %s FROM {classes} c WHERE c.id IN ({select_sql})",
            [school_year, school_year, timezone.now(), *select_params],
        )
        promoted = cursor.rowcount
    count = due.update(promoted_through=school_year)
    if promoted:
        first = ClassPromotion.objects.filter(school_year=school_year).select_related("school_class").first()
        audit(first.school_class, "xueji.class.promote", acting_user=acting_user,
              data={"school_year": school_year, "classes": promoted})
    return promoted, count - promoted


@transaction.atomic
def school_class_create(*, acting_user, school, stage, cohort, class_name):
    """A new class of a school's stage and cohort (the grade follows from the cohort, 第十六条)."""
    name = (class_name or "").strip()
    if not name:
        raise RuleError("class_name_required", "请填写班级名称", field="class_name")
    if not school.offers(stage):
        raise RuleError("school_stage", f"{school.name}不设该学段", field="stage", article="第三条")
    if not isinstance(cohort, int) or not 1990 <= cohort <= 2100:
        raise RuleError("class_cohort", "入学年份应为四位年份", field="cohort")
    if SchoolClass.objects.filter(school=school, stage=stage, cohort=cohort, class_name=name).exists():
        raise RuleError("class_exists", "该学校同一入学年份已有同名班级", field="class_name")
    try:  # two registrars at once: the unique constraint decides, in a savepoint
        with transaction.atomic():
            school_class = SchoolClass.objects.create(school=school, stage=stage, cohort=cohort, class_name=name)
    except IntegrityError:
        raise RuleError("class_exists", "该学校同一入学年份已有同名班级", field="class_name") from None
    audit(school_class, "xueji.class.create", acting_user=acting_user,
          data={"school": school.code, "stage": stage, "cohort": cohort, "class_name": name})
    return school_class


@transaction.atomic
def school_class_rename(*, acting_user, school_class, class_name):
    """Only the name changes: the cohort and stage fix the grade of every student placed in it."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    name = (class_name or "").strip()
    if not name:
        raise RuleError("class_name_required", "请填写班级名称", field="class_name")
    if SchoolClass.objects.filter(school_id=school_class.school_id, stage=school_class.stage,
                                  cohort=school_class.cohort, class_name=name).exclude(pk=school_class.pk).exists():
        raise RuleError("class_exists", "该学校同一入学年份已有同名班级", field="class_name")
    previous, school_class.class_name = school_class.class_name, name
    school_class.save(update_fields=["class_name"])
    audit(school_class, "xueji.class.edit", acting_user=acting_user, data={"from": previous, "to": name})
    return school_class
