"""Students: lifelong numbers, identity rules, the duplicate check (第九、十一、十五条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.access import mask
from cases.errors import rule_errors
from cases.models import ArchiveEntry, Registration, RegistryLogEntry, RegistryNumberChange, Student
from cases.numbers.id_number import make_id_number
from cases.numbers.registry_number import parse_registry_number
from cases.services.students import (
    NewStudent,
    student_convert_temporary_number,
    student_find_duplicates,
    student_register,
    students_register,
)
from tests.factories import SchoolFactory, id_number_for, register_student

BIRTH = datetime.date(2012, 5, 1)


def codes(error):
    return [item["code"] for item in rule_errors(error)]


def snapshot():
    return (Student.objects.count(), Registration.objects.count(), ArchiveEntry.objects.count(),
            RegistryLogEntry.objects.count())


@pytest.mark.django_db
def test_student_with_id_number_gets_g_number_with_history_archive_and_audit():
    registration = register_student(name="张伟", gender="M")
    student = registration.student
    assert student.registry_number == "G" + student.id_number
    assert registration.status == "active" and registration.events.get().status_to == "active"
    assert student.archive_entries.filter(kind="base_data").count() == 1
    assert RegistryLogEntry.objects.filter(action="xueji.student.register", object_id=str(student.pk)).exists()
    assert registration.auxiliary_numbers.filter(cancelled_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_student_without_id_number_gets_j_number_built_like_an_id():
    school = SchoolFactory()
    boy = register_student(school=school, name="马小军", gender="M", birth_date=BIRTH, with_id=False).student
    girl = register_student(school=school, name="马小花", gender="F", birth_date=BIRTH, with_id=False).student
    for student, parity in ((boy, 1), (girl, 0)):
        parsed = parse_registry_number(student.registry_number)
        assert parsed.kind == "J"
        assert parsed.area_code == school.county.code
        assert parsed.birth_date == BIRTH
        assert int(parsed.sequence) % 2 == parity  # odd male, even female, as in an ID number
    assert boy.id_number is None and girl.id_number is None


@pytest.mark.django_db
def test_student_without_household_register_gets_temporary_l_number():
    student = register_student(name="李安娜", gender="F", with_id=False, household_type="overseas").student
    parsed = parse_registry_number(student.registry_number)
    assert parsed.kind == "L" and len(student.registry_number) == 19 and parsed.birth_date == BIRTH


@pytest.mark.django_db
def test_temporary_number_converts_to_g_and_keeps_history():
    student = register_student(name="李安娜", gender="F", with_id=False, household_type="none").student
    temporary = student.registry_number
    id_number = make_id_number("620102", BIRTH, 8)
    student_convert_temporary_number(acting_user=None, student=student, id_number=id_number)
    student.refresh_from_db()
    assert student.registry_number == "G" + id_number and student.id_number == id_number
    change = RegistryNumberChange.objects.get(student=student)
    assert (change.old_number, change.new_number) == (temporary, "G" + id_number)
    assert student.archive_entries.filter(title__contains="转为正式").exists()


@pytest.mark.django_db
def test_temporary_conversion_refuses_mismatching_birth_date_and_changes_nothing():
    student = register_student(name="李安娜", gender="F", with_id=False, household_type="none").student
    temporary = student.registry_number
    with pytest.raises(ValidationError) as info:
        student_convert_temporary_number(acting_user=None, student=student,
                                         id_number=make_id_number("620102", datetime.date(2011, 1, 1), 8))
    assert codes(info.value) == ["registry_number_conversion_birth_date"]
    student.refresh_from_db()
    assert student.registry_number == temporary and not RegistryNumberChange.objects.exists()


@pytest.mark.django_db
def test_only_temporary_numbers_convert():
    student = register_student(name="张伟").student
    with pytest.raises(ValidationError) as info:
        student_convert_temporary_number(acting_user=None, student=student, id_number=student.id_number)
    assert codes(info.value) == ["registry_number_not_temporary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "id_number, code",
    [
        ("62010220120501001", "id_length"),
        ("6201022012050100AX", "id_format"),
        ("620102201205010010", "id_checksum"),
        (make_id_number("620102", datetime.date(2012, 2, 1), 1)[:6] + "20120230" + "001" + "0", "id_checksum"),
        (make_id_number("990101", BIRTH, 1), "id_area_code"),
        (make_id_number("620102", datetime.date(2011, 5, 1), 1), "id_birth_date_mismatch"),
        (make_id_number("620102", BIRTH, 2), "id_gender_mismatch"),
    ],
)
def test_invalid_id_numbers_are_refused_with_their_code_and_nothing_is_written(id_number, code):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        student_register(acting_user=None, school=SchoolFactory(), stage="junior", started_on=datetime.date(2025, 9, 1),
                         data={"name": "王强", "gender": "M", "birth_date": BIRTH, "id_number": id_number})
    assert codes(info.value) == [code]
    assert rule_errors(info.value)[0]["field"] == "id_number"
    assert snapshot()[0] == before[0] and snapshot()[1] == before[1]


@pytest.mark.django_db
def test_impossible_birth_date_in_id_is_refused():
    body = "62010220120230001"  # 30 February
    from cases.numbers.id_number import mod11_2_check_digit

    number = body + mod11_2_check_digit(body)
    with pytest.raises(ValidationError) as info:
        student_register(acting_user=None, school=SchoolFactory(), stage="junior", started_on=datetime.date(2025, 9, 1),
                         data={"name": "王强", "gender": "M", "birth_date": BIRTH, "id_number": number})
    assert codes(info.value) == ["id_birth_date"]


@pytest.mark.django_db
def test_x_check_digit_is_accepted_and_lower_case_normalised():
    number = "62010220120517005X"  # Lanzhou Chengguan, 2012-05-17, sequence 005 (male), check digit X
    registration = student_register(
        acting_user=None, school=SchoolFactory(), stage="junior", started_on=datetime.date(2025, 9, 1),
        data={"name": "王强", "gender": "M", "birth_date": datetime.date(2012, 5, 17), "id_number": number.lower()},
    )
    assert registration.student.id_number == number
    assert registration.student.registry_number == "G" + number


@pytest.mark.django_db
def test_second_person_with_same_id_is_refused_by_the_service_naming_the_match():
    first = register_student(name="张伟").student
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        register_student(school=first.registrations.get().school, name="张卫", id_number=first.id_number,
                         birth_date=first.birth_date)
    assert codes(info.value) == ["duplicate_person"]
    # The match is named, its G number masked (the check spans the province: cases/access.py).
    message = rule_errors(info.value)[0]["message"]
    assert "张伟" in message and mask("registry_number", first.registry_number) in message
    assert first.registry_number not in message
    assert rule_errors(info.value)[0]["article"] == "第十一条"
    assert snapshot() == before


@pytest.mark.django_db
def test_second_person_with_same_id_is_refused_by_the_database():
    first = register_student(name="张伟").student
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.create(registry_number="J620102201205010013", id_number=first.id_number, name="张伟",
                               gender="M", birth_date=first.birth_date)
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.create(registry_number=first.registry_number, name="别人", gender="M",
                               birth_date=first.birth_date)


@pytest.mark.django_db
def test_duplicate_check_without_id_matches_name_gender_birth_and_homophones():
    existing = register_student(name="马晓燕", gender="F", with_id=False).student
    same = student_find_duplicates(name="马晓燕", gender="F", birth_date=BIRTH)
    assert [(m.student, m.reason) for m in same] == [(existing, "same_name_gender_birth")]
    similar = student_find_duplicates(name="马小燕", gender="F", birth_date=BIRTH)
    assert [(m.student, m.reason) for m in similar] == [(existing, "similar_name_gender_birth")]
    # What must NOT match: another birth date, another gender, another name.
    assert student_find_duplicates(name="马晓燕", gender="F", birth_date=BIRTH + datetime.timedelta(days=1)) == []
    assert student_find_duplicates(name="马晓燕", gender="M", birth_date=BIRTH) == []
    assert student_find_duplicates(name="王晓燕", gender="F", birth_date=BIRTH) == []
    # A newcomer with an ID number is matched against those without one…
    newcomer_id = make_id_number("620102", BIRTH, 2)
    assert student_find_duplicates(name="马晓燕", gender="F", birth_date=BIRTH, id_number=newcomer_id)[0].student == existing


@pytest.mark.django_db
def test_two_people_with_different_ids_and_same_name_are_not_duplicates():
    register_student(name="张伟", gender="M", birth_date=BIRTH, id_number=make_id_number("620102", BIRTH, 1))
    other = register_student(name="张伟", gender="M", birth_date=BIRTH, id_number=make_id_number("620102", BIRTH, 3))
    assert other.student.registry_number.endswith(make_id_number("620102", BIRTH, 3))


@pytest.mark.django_db
def test_batch_reports_every_bad_row_and_writes_nothing():
    school = SchoolFactory()
    existing = register_student(school=school, name="张伟").student
    before = snapshot()
    good_id, good_birth = id_number_for(BIRTH, "F")
    people = [
        NewStudent({"name": "李娜", "gender": "F", "birth_date": good_birth, "id_number": good_id}),
        NewStudent({"name": "张伟", "gender": "M", "birth_date": existing.birth_date, "id_number": existing.id_number}),
        NewStudent({"name": "", "gender": "M", "birth_date": BIRTH}),
        NewStudent({"name": "李娜", "gender": "F", "birth_date": good_birth, "id_number": good_id}),
    ]
    with pytest.raises(ValidationError) as info:
        students_register(acting_user=None, school=school, stage="junior", started_on=datetime.date(2025, 9, 1),
                          people=people)
    found = {(item["field"], item["code"]) for item in rule_errors(info.value)}
    assert found == {
        ("people[1].id_number", "duplicate_person"),
        ("people[2].name", "name_required"),
        ("people[3].name", "duplicate_in_batch"),
    }
    assert snapshot() == before


@pytest.mark.django_db
def test_batch_registers_a_class_in_constant_queries(django_assert_max_num_queries):
    school = SchoolFactory()
    people = []
    for n in range(60):
        gender = "M" if n % 2 else "F"
        id_number, birth = id_number_for(BIRTH, gender)
        people.append(NewStudent({"name": f"学生{n}", "gender": gender, "birth_date": birth, "id_number": id_number},
                                 guardians=({"name": "家长", "relation": "父亲"},)))
    with django_assert_max_num_queries(22):  # 22 on PostgreSQL (identity locks, reserved ids), 20 on SQLite
        registrations = students_register(acting_user=None, school=school, stage="junior",
                                          started_on=datetime.date(2025, 9, 1), people=people)
    assert len(registrations) == 60
    numbers = set(school.registrations.values_list("auxiliary_numbers__number", flat=True))
    assert len(numbers) == 60


@pytest.mark.django_db
def test_school_must_offer_the_stage():
    school = SchoolFactory(category="0")  # a primary school
    with pytest.raises(ValidationError) as info:
        register_student(school=school, stage="senior")
    assert codes(info.value) == ["school_stage"]


# --- 第十一、十二条 (第五条): the age fits the stage ------------------------------------------------
START = datetime.date(2025, 9, 1)


def _one(school, stage, birth, **extra):
    return student_register(acting_user=None, school=school, stage=stage, started_on=START,
                            data={"name": "年龄测试", "gender": "F", "birth_date": birth}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("stage, category, birth, fits", [
    ("primary", "0", datetime.date(2019, 9, 1), True),  # six on the first day: 年满六周岁
    ("primary", "0", datetime.date(2019, 9, 2), False),  # five: too young
    ("primary", "0", datetime.date(2016, 9, 2), True),  # eight: a little late, still in the band
    ("primary", "0", datetime.date(2015, 9, 1), False),  # ten: a late entry needs its reason
    ("junior", "1", datetime.date(2013, 9, 1), True),
    ("junior", "1", datetime.date(2016, 9, 1), False),  # nine in junior school
    ("senior", "5", datetime.date(2010, 9, 1), True),
    ("senior", "5", datetime.date(2001, 9, 1), False),  # twenty-four in the first year of senior school
])
def test_articles_11_12_registration_refuses_an_age_outside_the_stage_band(stage, category, birth, fits):
    school = SchoolFactory(category=category)
    before = snapshot()
    if fits:
        assert _one(school, stage, birth).stage == stage
        return
    with pytest.raises(ValidationError) as error:
        _one(school, stage, birth)
    assert [(e["code"], e["article"], e["field"]) for e in rule_errors(error.value)] == [
        ("registration_age_out_of_band", "第十一条", "birth_date")]
    assert snapshot() == before  # nothing written


@pytest.mark.django_db
def test_articles_11_12_the_band_follows_the_grade_entered():
    """A ten-year-old joining the fourth year of primary school fits; joining the first does not."""
    from tests.factories import SchoolClassFactory

    school = SchoolFactory(category="0")
    fourth = SchoolClassFactory(school=school, stage="primary", cohort=2022)
    assert _one(school, "primary", datetime.date(2015, 6, 1), school_class=fourth).school_class == fourth
    with pytest.raises(ValidationError):
        _one(school, "primary", datetime.date(2015, 6, 1))


@pytest.mark.django_db
def test_articles_11_12_special_education_and_late_entry_are_reasoned_exceptions():
    special = SchoolFactory(category="S", name="兰州市盲聋哑学校")
    assert _one(special, "special", datetime.date(2012, 1, 1)).stage == "special"  # 特殊教育学校: every age
    ordinary = SchoolFactory(category="0")
    registration = _one(ordinary, "primary", datetime.date(2016, 1, 1), age_exception="听力残疾儿童随班就读,延缓入学两年")
    assert "听力残疾儿童随班就读" in registration.events.get().reason
    assert "年龄例外" in registration.student.archive_entries.get(kind="base_data").body
    before = snapshot()
    with pytest.raises(ValidationError):  # a blank reason is no reason
        _one(ordinary, "primary", datetime.date(2016, 1, 1), age_exception="  ")
    assert snapshot() == before


@pytest.mark.django_db
def test_articles_11_12_one_bad_age_in_an_intake_writes_nobody():
    school = SchoolFactory(category="0")
    people = [NewStudent(data={"name": f"学生{n}", "gender": "M", "birth_date": datetime.date(2019, 3, n + 1)})
              for n in range(3)]
    people.append(NewStudent(data={"name": "太小", "gender": "M", "birth_date": datetime.date(2021, 3, 1)}))
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        students_register(acting_user=None, school=school, stage="primary", started_on=START, people=people)
    assert [(e["code"], e["field"]) for e in rule_errors(error.value)] == [
        ("registration_age_out_of_band", "people[3].birth_date")]
    assert snapshot() == before
