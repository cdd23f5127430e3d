"""manage.py seed_demo: a whole demo province, built once for this module and rolled back."""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from cases import demo, demo_cases
from cases.models import (
    STAGE_YEARS,
    AuxiliaryNumber,
    Jurisdiction,
    Registration,
    RegistrationStatus,
    RegistryLogEntry,
    School,
    SchoolCategory,
    Stage,
    StaffProfile,
    Student,
    Supervision,
)
from cases.numbers.id_number import validate_id_number
from cases.numbers.registry_number import check_registry_number_consistency

SEED, STUDENTS = 7, 600

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Run the command once; every test of the module reads the result. Returns its output."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            out = io.StringIO()
            call_command("seed_demo", "--seed", str(SEED), "--students", str(STUDENTS), stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def the_plan(seeded, django_db_blocker):
    """The plan the command built, recomputed for the day it recorded."""
    with django_db_blocker.unblock():
        entry = RegistryLogEntry.objects.get(action="xueji.demo.seed")
    today = datetime.date.fromisoformat(entry.data["today"])
    the_plan = demo.plan(SEED, STUDENTS, today=today)
    assert entry.data["digest"] == the_plan.digest()
    return the_plan


def day_intake_numbers():
    """ID numbers of the pupils the demo's day of work registered (cases/demo_cases.py): the
    approved intake of the demo school, on top of the planned students."""
    from cases.models import Case

    case = Case.objects.get(case_type="registration", state="approved")
    return {person["id_number"] for person in case.details["people"]}


def test_plan_is_deterministic():
    today = datetime.date(2026, 11, 30)
    first, again = demo.plan(SEED, STUDENTS, today=today), demo.plan(SEED, STUDENTS, today=today)
    assert first == again
    assert first.digest() == again.digest()
    other = demo.plan(SEED + 1, STUDENTS, today=today)
    assert other != first
    assert [s.name for s in other.schools] != [s.name for s in first.schools]
    assert {p.id_number for p in other.people} != {p.id_number for p in first.people}
    # The schools do not depend on the number of students.
    assert demo.plan(SEED, 1000, today=today).schools == first.schools


def test_every_city_and_county_has_schools(seeded):
    cities = Jurisdiction.objects.filter(level="city", code__startswith="62")
    counties = Jurisdiction.objects.filter(level="county", code__startswith="62")
    assert cities.count() == 14
    assert counties.count() == 88
    with_schools = set(School.objects.values_list("county__code", flat=True))
    assert set(counties.values_list("code", flat=True)) <= with_schools
    assert {code[:4] for code in with_schools} == set(cities.values_list("code", flat=True))
    assert Jurisdiction.objects.filter(level="township", code__startswith="62").count() == 1403


def test_schools(seeded):
    schools = list(School.objects.select_related("county", "township"))
    assert 250 <= len(schools) <= 400
    assert {s.category for s in schools} == set(SchoolCategory.values)
    assert {s.supervision for s in schools} == set(Supervision.values)
    assert {s.ownership for s in schools} == {"public", "private"}
    assert Counter(s.supervision for s in schools).most_common(1)[0][0] == Supervision.COUNTY
    aux_codes = Counter((s.county.code, s.auxiliary_code) for s in schools)
    assert max(aux_codes.values()) == 1
    for school in schools:
        assert len(school.code) == 10 and school.code.isdigit()
        assert len(school.auxiliary_code) == 2 and school.auxiliary_code.isdigit()
        assert school.township.code.startswith(school.county.code)
    names = {s.name for s in schools}
    assert len(names) == len(schools)
    assert "城关区第一中学" in names and "甘肃省实验中学" in names
    assert any(name.startswith("兰州市第") for name in names)


def test_classes_and_students_in_every_grade(seeded, the_plan):
    today = the_plan.today
    for school in School.objects.prefetch_related("classes"):
        for stage in school.stages:
            grades = Counter(c.grade(today) for c in school.classes.all() if c.stage == stage)
            assert set(range(1, STAGE_YEARS[stage] + 1)) <= set(grades), (school.name, stage)
            assert all(grades[g] in (1, 2) for g in range(1, STAGE_YEARS[stage] + 1))
    seen = defaultdict(set)
    for registration in Registration.objects.filter(status=RegistrationStatus.ACTIVE).select_related("school_class"):
        seen[registration.stage].add(registration.school_class.grade(today))
    for stage in Stage.values:
        assert seen[stage] == set(range(1, STAGE_YEARS[stage] + 1)), stage


def test_identity_numbers_agree_with_the_record(seeded):
    students = list(Student.objects.all())
    assert len(students) == STUDENTS + demo_cases.INTAKE
    without_id = 0
    for student in students:
        if student.id_number:
            assert validate_id_number(student.id_number, birth_date=student.birth_date, gender=student.gender)
            assert student.registry_number == "G" + student.id_number
        else:
            without_id += 1
            assert student.registry_number.startswith("J")
            check_registry_number_consistency(student.registry_number, birth_date=student.birth_date,
                                              gender=student.gender)
    assert without_id < STUDENTS // 20
    assert 1 <= min(s.guardians.count() for s in students[:50]) <= 2


def test_age_fits_the_grade(seeded):
    for registration in Registration.objects.select_related("student", "school_class"):
        cohort = registration.school_class.cohort
        born = registration.student.birth_date
        age = cohort - born.year - ((9, 1) < (born.month, born.day))  # on 1 September of entry
        entry = demo.ENTRY_AGE[registration.stage]
        assert entry <= age <= entry + 2, (registration.stage, cohort, born)


def test_ethnicity_follows_the_place(seeded):
    def ethnicities(prefix):
        students = Student.objects.filter(household_county__code__startswith=prefix)
        return set(students.values_list("ethnicity", flat=True))

    assert "藏族" in ethnicities("6230")
    assert {"回族", "东乡族"} <= ethnicities("6229")
    assert Counter(Student.objects.values_list("ethnicity", flat=True)).most_common(1)[0][0] == "汉族"
    assert Student.objects.filter(is_migrant=True).exists()
    assert Student.objects.filter(is_left_behind=True).exists()
    assert Student.objects.exclude(disability="").exists()


def test_auxiliary_numbers_follow_the_status(seeded):
    def per_registration(numbers):
        return Counter(numbers.values_list("registration", flat=True))

    live = per_registration(AuxiliaryNumber.objects.filter(cancelled_at__isnull=True))
    cancelled = per_registration(AuxiliaryNumber.objects.filter(cancelled_at__isnull=False))
    closed_number = {RegistrationStatus.SUSPENDED, RegistrationStatus.DROPPED_OUT, RegistrationStatus.TRANSFERRED_OUT}
    for pk, status in Registration.objects.values_list("pk", "status"):
        if status == RegistrationStatus.ACTIVE:
            assert live[pk] == 1
        elif status in closed_number:
            assert live[pk] == 0 and cancelled[pk] == 1
    assert len(set(AuxiliaryNumber.objects.values_list("number", flat=True))) == AuxiliaryNumber.objects.count()


def test_status_changes(seeded, the_plan):
    statuses = Counter(Registration.objects.values_list("status", flat=True))
    kinds = Counter(event.kind for event in the_plan.events)
    assert statuses[RegistrationStatus.SUSPENDED] == kinds["suspend"] >= 3
    for suspended in Registration.objects.filter(status=RegistrationStatus.SUSPENDED):
        since = suspended.events.get(status_to=RegistrationStatus.SUSPENDED).occurred_on
        assert since < suspended.suspended_until <= since + datetime.timedelta(days=365)  # 第二十九条
    assert statuses[RegistrationStatus.DROPPED_OUT] == kinds["drop_out"] >= 3
    assert statuses[RegistrationStatus.TRANSFERRED_OUT] == kinds["transfer"] >= 3
    assert statuses[RegistrationStatus.GRADUATED] == kinds["graduate"] >= 3
    assert not Registration.objects.filter(status=RegistrationStatus.DROPPED_OUT).exclude(
        stage__in=["primary", "junior", "special"]).exists()
    for out in Registration.objects.filter(status=RegistrationStatus.TRANSFERRED_OUT):
        now = Registration.objects.open().get(student=out.student)
        assert now.school_id != out.school_id and now.stage == out.stage
        assert now.school_class.cohort == out.school_class.cohort
        assert now.started_on == out.ended_on
        if out.stage == Stage.SENIOR:
            assert now.school.county_id != out.school.county_id
    for graduated in Registration.objects.filter(status=RegistrationStatus.GRADUATED).select_related("school_class"):
        # the class has finished its years
        assert graduated.school_class.grade(the_plan.today) == STAGE_YEARS[graduated.stage] + 1
    continuing = Registration.objects.filter(student__registrations__status=RegistrationStatus.GRADUATED,
                                             stage=Stage.SENIOR, status=RegistrationStatus.ACTIVE)
    assert continuing.count() == kinds["continue"]


def test_staff_at_every_level_can_log_in(seeded):
    profiles = StaffProfile.objects.select_related("jurisdiction", "school")
    levels = Counter(p.unit_level for p in profiles)
    assert levels["province"] >= 1 and levels["city"] >= 14 and levels["county"] >= 88
    assert 80 <= levels["school"] <= 120  # a registrar and a head (separation of duties) per school
    assert {p.role for p in profiles} == {"registrar", "reviewer", "head"}
    assert profiles.get(user__username="county-620102").jurisdiction.code == "620102"

    logins = seeded.split("演示账号", 1)[1].splitlines()[1:]
    usernames = [line.split()[0] for line in logins if line.startswith("  ")]
    # The provincial exam authority (第二十二条) is a unit of its own, listed after the county.
    assert usernames[:5] == ["admin", "province", "city-6201", "county-620102", "province-exam"]
    assert usernames[5].startswith("school-1620102") and usernames[6] == f"{usernames[5]}-head"
    for username in usernames:
        assert authenticate(username=username, password=demo.DEFAULT_PASSWORD) is not None, username
    assert authenticate(username="province", password="wrong") is None
    assert get_user_model().objects.get(username="admin").is_superuser


def test_logins_only_lists_the_accounts(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    assert "county-620102" in out.getvalue() and demo.DEFAULT_PASSWORD in out.getvalue()
    def table(output):
        return output.split("演示账号", 1)[1].splitlines()[1:]

    assert table(out.getvalue()) == table(seeded)


def test_output_reports_counts(seeded):
    assert f"学生:{STUDENTS + demo_cases.INTAKE} 人" in seeded
    assert "休学" in seeded and "已转出" in seeded and "毕业" in seeded
    assert "兰州市:" in seeded and "甘南藏族自治州:" in seeded  # progress per city


def test_database_matches_the_plan(seeded, the_plan):
    assert set(School.objects.values_list("code", "name")) == {(s.code, s.name) for s in the_plan.schools}
    planned_ids = {p.id_number for p in the_plan.people if p.id_number}
    day = day_intake_numbers()
    assert len(day) == demo_cases.INTAKE and not day & planned_ids
    planned = Student.objects.exclude(id_number__in=day)
    assert set(planned.exclude(id_number=None).values_list("id_number", flat=True)) == planned_ids
    assert Counter(planned.values_list("name", flat=True)) == Counter(p.name for p in the_plan.people)
    assert sorted(planned.filter(registry_number__startswith="G").values_list("registry_number", flat=True)) \
        == sorted("G" + i for i in planned_ids)


def test_refuses_a_database_with_schools(seeded):
    before = (Student.objects.count(), School.objects.count(), get_user_model().objects.count(),
              Registration.objects.count())
    with pytest.raises(CommandError, match="数据库中已有学校数据,seed_demo 只能在空库上运行"):
        call_command("seed_demo", "--seed", "8", "--students", "200", stdout=io.StringIO())
    after = (Student.objects.count(), School.objects.count(), get_user_model().objects.count(),
             Registration.objects.count())
    assert after == before


def test_a_days_work_in_flight_at_the_demo_school(seeded):
    """The demo registrar's school has cases in every state, made through the services (each
    with its audit entries and workflow), a certificate and its print job."""
    from cases.demo_cases import demo_registrar
    from cases.models import Case, CaseState, Certificate, PrintJob
    from cases.workflow import current_step

    profile = demo_registrar()
    cases = Case.objects.filter(school=profile.school)
    assert Counter(cases.values_list("state", flat=True)) == {
        CaseState.DRAFT: 2, CaseState.IN_REVIEW: 2, CaseState.RETURNED: 2, CaseState.WITHDRAWN: 1,
        CaseState.APPROVED: 2}  # the intake and a correction
    levels = sorted(current_step(case).task.specific.level for case in cases.filter(state=CaseState.IN_REVIEW))
    assert levels == ["authority", "school"]  # one waits for the head, one for the county
    for case in cases.exclude(state=CaseState.DRAFT):
        assert RegistryLogEntry.objects.filter(content_type__model="case", object_id=str(case.pk),
                                               action="xueji.case.submit").exists()
    approved = cases.get(state=CaseState.APPROVED, case_type="correction")
    assert approved.student.native_place == "甘肃省兰州市榆中县"
    certificate = Certificate.objects.get(school=profile.school)
    assert PrintJob.objects.get().certificates.get() == certificate
    assert "学籍变动案卷 9 件" in seeded
