"""Test data built through the services, so tests see what production code writes."""

import datetime

import factory

from cases.models import Jurisdiction, Role, School, SchoolClass, StaffProfile
from cases.numbers.id_number import make_id_number
from cases.services.schools import school_create
from cases.services.staff import staff_create
from cases.services.students import student_register

PASSWORD = "xueji-test-pass"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"1162{n:06d}")
    name = factory.Sequence(lambda n: f"测试学校{n}")
    county = factory.LazyFunction(lambda: Jurisdiction.objects.get(code="620102"))
    category = "4"
    auxiliary_code = factory.Sequence(lambda n: f"{n % 100:02d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return school_create(acting_user=None, **kwargs)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    stage = "junior"
    cohort = 2025
    class_name = factory.Sequence(lambda n: f"{n + 1}班")


_sequence = iter(range(1, 10**9))


def id_number_for(birth_date, gender="M", area="620102"):
    """A valid ID number, unique within the test run (sequence parity follows gender)."""
    n = next(_sequence) % 499 + 1
    birth_date = birth_date + datetime.timedelta(days=next(_sequence) // 499 % 3000)
    return make_id_number(area, birth_date, 2 * n - 1 if gender == "M" else 2 * n), birth_date


def birth_date_for(stage, started_on, school_class=None):
    """A birth date whose age fits the stage and grade on the first day (第五、十一条)."""
    from cases.services.students import ENTRY_AGE

    grade = (school_class.grade(started_on) if school_class is not None else None) or 1
    age = ENTRY_AGE.get(stage, 8) + grade - 1
    return datetime.date(started_on.year - age - 1, 5, 1)  # ``age`` + 1 on the first day: inside the band


def register_student(*, school=None, stage="junior", school_class=None, name="王小明", gender="M",
                     birth_date=None, with_id=True, started_on=datetime.date(2025, 9, 1),
                     acting_user=None, **data):
    """An active student with an open registration and an auxiliary number; born, unless told,
    at an age that fits the stage."""
    school = school or (school_class.school if school_class else SchoolFactory())
    birth_date = birth_date or birth_date_for(stage, started_on, school_class)
    if with_id and "id_number" not in data:
        data["id_number"], birth_date = id_number_for(birth_date, gender)
    return student_register(
        acting_user=acting_user, school=school, stage=stage, started_on=started_on, school_class=school_class,
        data={"name": name, "gender": gender, "birth_date": birth_date, **data},
    )


def staff_user(unit, *, role=Role.REGISTRAR, username=None, office="registry"):
    key = f"{unit.pk}-{type(unit).__name__}-{role}"
    profile = staff_create(
        acting_user=None, username=username or f"u{key}-{next(_sequence)}", password=PASSWORD,
        full_name="测试人员", unit=unit, role=role, trained_on=datetime.date(2025, 1, 1), office=office,
    )
    return profile.user


def assert_current_registrations():
    """Every student's maintained current registration is what the history says: the open
    registration, else the latest one; its school and supervising code copied alongside; each
    registration flagged when the student is now under another supervising unit, and while
    flagged carrying copies of its school's code and the student's number (NULL otherwise)."""
    from cases.models import OPEN_STATUSES, Student

    for student in Student.objects.prefetch_related("registrations__school"):
        registrations = sorted(student.registrations.all(), key=lambda r: (r.status in OPEN_STATUSES, r.pk))
        expected = registrations[-1] if registrations else None
        assert student.current_registration_id == (expected.pk if expected else None), student
        assert student.current_school_id == (expected.school_id if expected else None), student
        assert student.scope_code == (expected.school.scope_code if expected else ""), student
        for registration in registrations:  # the former-students flag follows the scope
            assert registration.student_elsewhere == (registration.school.scope_code != student.scope_code), registration
            copies = (registration.former_scope_code, registration.former_registry_number)
            assert copies == ((registration.school.scope_code, student.registry_number) if registration.student_elsewhere
                              else (None, None)), registration


def together(target, calls):
    """Run ``target(*args)`` for each of ``calls`` in its own thread, all released at once (a
    barrier), each closing its connections; returns the exceptions they raised."""
    import threading

    from django.db import connections

    barrier, errors = threading.Barrier(len(calls)), []

    def run(args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except Exception as error:  # noqa: BLE001  (returned to the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(args,)) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


__all__ = ["PASSWORD", "SchoolFactory", "SchoolClassFactory", "StaffProfile", "assert_current_registrations",
           "birth_date_for", "id_number_for", "register_student", "staff_user", "together"]
