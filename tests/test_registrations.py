"""Registrations, classes and the yearly promotion (第九、十六条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.errors import rule_errors
from cases.models import ClassPromotion, Registration, RegistrationEvent, SchoolClass, Stage, Student
from cases.services.registrations import (
    classes_promote,
    registration_assign_class,
    registration_change_status,
    registration_open,
)
from tests.factories import SchoolClassFactory, SchoolFactory, register_student


def codes(error):
    return [item["code"] for item in rule_errors(error)]


@pytest.mark.django_db
def test_second_open_registration_is_refused_by_the_database():
    registration = register_student()
    other_school = SchoolFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(student=registration.student, school=other_school, stage="junior",
                                    started_on=datetime.date(2026, 3, 1))


@pytest.mark.django_db
def test_second_open_registration_is_refused_by_the_service_and_nothing_changes():
    registration = register_student()
    with pytest.raises(ValidationError) as info:
        registration_open(acting_user=None, student=registration.student, school=SchoolFactory(), stage="junior",
                          started_on=datetime.date(2026, 3, 1), reason="转入")
    assert codes(info.value) == ["registration_open_exists"]
    assert Registration.objects.filter(student=registration.student).count() == 1


@pytest.mark.django_db
def test_closed_registrations_do_not_block_a_new_one_and_keep_their_history():
    registration = register_student()
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    new = registration_open(acting_user=None, student=registration.student, school=SchoolFactory(), stage="junior",
                            started_on=datetime.date(2026, 3, 2), reason="转入")
    registration.refresh_from_db()
    assert registration.status == "transferred_out" and registration.ended_on == datetime.date(2026, 3, 1)
    assert list(registration.events.values_list("status_from", "status_to")) == [("", "active"),
                                                                                  ("active", "transferred_out")]
    assert new.is_open and new.events.get().reason == "转入"


@pytest.mark.django_db
def test_a_closed_registration_never_reopens():
    registration = register_student()
    registration_change_status(acting_user=None, registration=registration, status="withdrawn",
                               occurred_on=datetime.date(2026, 3, 1), reason="退学")
    events = RegistrationEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        registration_change_status(acting_user=None, registration=registration, status="active",
                                   occurred_on=datetime.date(2026, 4, 1), reason="复学")
    assert codes(info.value) == ["registration_closed"]
    registration.refresh_from_db()
    assert registration.status == "withdrawn" and RegistrationEvent.objects.count() == events


@pytest.mark.django_db
def test_open_statuses_keep_the_registration_open():
    registration = register_student()
    for status in ("suspended", "active", "dropped_out", "active", "abroad"):
        registration = registration_change_status(acting_user=None, registration=registration, status=status,
                                                  occurred_on=datetime.date(2026, 3, 1), reason="变动")
        assert registration.is_open and registration.ended_on is None


@pytest.mark.django_db
def test_grade_is_derived_from_cohort_and_school_year():
    school_class = SchoolClassFactory(stage=Stage.JUNIOR, cohort=2024)
    assert school_class.grade(datetime.date(2024, 9, 1)) == 1
    assert school_class.grade(datetime.date(2025, 8, 31)) == 1
    assert school_class.grade(datetime.date(2025, 9, 1)) == 2
    assert school_class.grade_label(datetime.date(2026, 9, 1)) == "九年级"
    assert school_class.grade(datetime.date(2024, 8, 1)) is None
    assert school_class.grade_label(datetime.date(2027, 9, 1)) == "已届满"
    assert school_class.graduation_year == 2027
    senior = SchoolClassFactory(school=SchoolFactory(category="5"), stage=Stage.SENIOR, cohort=2025)
    assert senior.grade_label(datetime.date(2025, 10, 1)) == "高一"


@pytest.mark.django_db
def test_yearly_promotion_writes_per_class_never_per_student(django_assert_max_num_queries):
    school = SchoolFactory(category="2")
    classes = [SchoolClassFactory(school=school, stage=Stage.PRIMARY, cohort=year) for year in (2020, 2023, 2025)]
    for n in range(12):
        register_student(school_class=classes[n % 3], stage=Stage.PRIMARY, name=f"学生{n}")
    students_before = list(Student.objects.order_by("pk").values())
    registrations_before = list(Registration.objects.order_by("pk").values())
    with django_assert_max_num_queries(12):  # constant: no query per class or student
        promoted, finished = classes_promote(acting_user=None, school_year=2025)
    # 2020 → grade 6, 2023 → grade 3, 2025 → grade 1; one row each.
    assert promoted == 3 and finished == 0
    assert sorted(ClassPromotion.objects.values_list("grade", flat=True)) == [1, 3, 6]
    assert list(Student.objects.order_by("pk").values()) == students_before
    assert list(Registration.objects.order_by("pk").values()) == registrations_before
    # Idempotent: the same school year again changes nothing.
    assert classes_promote(acting_user=None, school_year=2025) == (0, 0)
    # The next year the 2020 cohort has finished primary school: it is not promoted past grade 6.
    promoted, finished = classes_promote(acting_user=None, school_year=2026)
    assert (promoted, finished) == (2, 1)
    assert SchoolClass.objects.filter(promoted_through=2026).count() == 3


@pytest.mark.django_db
def test_class_assignment_stays_within_school_and_stage():
    registration = register_student()
    foreign_class = SchoolClassFactory()  # another school
    with pytest.raises(ValidationError) as info:
        registration_assign_class(acting_user=None, registration=registration, school_class=foreign_class,
                                  reason="调班")
    assert codes(info.value) == ["class_mismatch"]
    own_class = SchoolClassFactory(school=registration.school, stage="junior", cohort=2024)
    registration_assign_class(acting_user=None, registration=registration, school_class=own_class, reason="留级")
    registration.refresh_from_db()
    assert registration.school_class == own_class
