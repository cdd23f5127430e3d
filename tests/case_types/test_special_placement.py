"""随班就读/特殊教育安置 (第十八条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.errors import rule_errors
from cases.models import (
    ArchiveEntry,
    AuxiliaryNumber,
    CaseState,
    Case,
    Registration,
    SchoolClass,
    Student,
)
from cases.services.cases import case_approve, case_reject, case_submit, case_withdraw
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

D = datetime.date




@pytest.fixture
def special_school(db):
    return SchoolFactory(category="S", name="兰州市城关区特殊教育学校")


@pytest.fixture
def ordinary_school(db):
    return SchoolFactory(category="0", name="城关区雁南路小学")


@pytest.fixture
def deaf_pupil(special_school):
    """A hearing-impaired pupil of the special-education school, in its third year in 2026."""
    school_class = SchoolClassFactory(school=special_school, stage="special", cohort=2023)
    return register_student(school_class=school_class, stage="special", name="马小勇", disability="hearing",
                            birth_date=D(2016, 3, 1))


@pytest.fixture
def ordinary_pupil(ordinary_school):
    school_class = SchoolClassFactory(school=ordinary_school, stage="primary", cohort=2023)
    return register_student(school_class=school_class, stage="primary", name="杨小花", disability="intellectual",
                            birth_date=D(2016, 3, 1))


def place(world, registration, destination, mode="move", **details):
    """A placement; a move lands in a class of the destination (of the student's cohort) unless
    the test names one or the stage there is not known."""
    stage = "special" if destination.is_special_education else details.get("destination_stage") or (
        registration.stage if registration.stage != "special" else None)
    if mode == "move" and "destination_class" not in details and stage and destination != registration.school:
        details["destination_class"] = SchoolClass.objects.get_or_create(
            school=destination, stage=stage, class_name="安置班",
            cohort=registration.school_class.cohort if registration.school_class_id else 2023)[0].pk
    return open_case(world, case_type="special_placement", school=registration.school,
                     student=registration.student, destination_school=destination,
                     details={"mode": mode, **details})


def codes(error_info):
    return [e["code"] for e in rule_errors(error_info.value)]


def test_move_from_special_school_into_an_ordinary_class(world, deaf_pupil, special_school, ordinary_school):
    third_grade = SchoolClassFactory(school=ordinary_school, stage="primary", cohort=2023)
    old_number = deaf_pupil.auxiliary_numbers.get().number
    case, submitter = place(world, deaf_pupil, ordinary_school, destination_stage="primary",
                            destination_class=third_grade.pk)
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [special_school, special_school.county]
    assert case.state == CaseState.APPROVED
    deaf_pupil.refresh_from_db()
    assert deaf_pupil.status == "transferred_out" and deaf_pupil.ended_on == case.effective_on
    assert deaf_pupil.events.order_by("-id").first().status_to == "transferred_out"
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    new = Registration.objects.open().get(student=deaf_pupil.student)
    assert (new.school, new.stage, new.school_class) == (ordinary_school, "primary", third_grade)
    assert new.events.get().status_to == "active"
    assert new.auxiliary_numbers.get(cancelled_at__isnull=True).number != old_number
    student = Student.objects.get(pk=deaf_pupil.student_id)
    assert student.paper_archive_school == ordinary_school
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert entry.school == ordinary_school
    assert entry.title == f"转入普通学校随班就读:{special_school.name} → {ordinary_school.name}"
    assert "听力残疾" in entry.body


def test_move_from_an_ordinary_school_into_the_special_school(world, ordinary_pupil, special_school):
    case, submitter = place(world, ordinary_pupil, special_school)
    case, _ = submit_and_approve_all(world, case, submitter)
    new = Registration.objects.open().get(student=ordinary_pupil.student)
    assert (new.school, new.stage) == (special_school, "special")
    assert new.auxiliary_numbers.filter(cancelled_at__isnull=True).count() == 1


def test_stay_keeps_the_registration_at_the_original_school(world, ordinary_pupil, ordinary_school, special_school):
    number = ordinary_pupil.auxiliary_numbers.get()
    case, submitter = place(world, ordinary_pupil, special_school, mode="stay")
    registry_before = registry_snapshot()[:4]
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [ordinary_school, ordinary_school.county]
    assert case.state == CaseState.APPROVED
    assert registry_snapshot()[:4] == registry_before  # registration, history, number, student untouched
    ordinary_pupil.refresh_from_db()
    assert ordinary_pupil.status == "active" and ordinary_pupil.school == ordinary_school
    assert ordinary_pupil.auxiliary_numbers.get(cancelled_at__isnull=True) == number
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert entry.school == ordinary_school
    assert entry.title == f"转入特殊教育学校就读:{special_school.name}"
    assert f"学籍及学籍辅号保留在{ordinary_school.name}" in entry.body and "智力残疾" in entry.body


def test_article_18_one_school_special_education_the_other_not(world, ordinary_pupil, special_school,
                                                              deaf_pupil):
    case, submitter = place(world, ordinary_pupil, SchoolFactory(category="0"), mode="stay")
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["placement_school_categories"]
    assert rule_errors(info.value)[0]["article"] == "第十八条"
    case, _ = place(world, deaf_pupil, SchoolFactory(category="S"), mode="stay")
    assert [e.code for e in case.case_type_class.check_eligibility(case)] == ["placement_school_categories"]


def test_article_18_student_must_have_a_disability(world, ordinary_school, special_school):
    pupil = register_student(school=ordinary_school, stage="primary")
    case, submitter = place(world, pupil, special_school)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["placement_no_disability"]


def test_article_18_only_an_active_registration(world, ordinary_pupil, special_school):
    registration_change_status(acting_user=None, registration=ordinary_pupil, status="suspended",
                               occurred_on=D(2026, 1, 5), reason="休学")
    case, submitter = place(world, ordinary_pupil, special_school)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["placement_not_active"]


def test_article_18_destination_must_offer_the_stage(world, deaf_pupil, ordinary_school):
    with pytest.raises(ValidationError) as info:  # which stage, which class at a primary school?
        place(world, deaf_pupil, ordinary_school)
    assert codes(info) == ["field_required"] and rule_errors(info.value)[0]["field"] == "destination_class"
    case, _ = place(world, deaf_pupil, ordinary_school, destination_stage="junior")
    assert [e.code for e in case.case_type_class.check_eligibility(case)] == ["placement_destination_stage"]
    case, _ = place(world, deaf_pupil, ordinary_school, mode="stay")  # staying needs no stage there
    assert case.case_type_class.check_eligibility(case) == []


def test_article_18_mode_and_destination_required(world, ordinary_pupil, ordinary_school):
    with pytest.raises(ValidationError) as info:
        open_case(world, case_type="special_placement", school=ordinary_school, student=ordinary_pupil.student)
    assert codes(info) == ["placement_mode", "placement_destination"]
    with pytest.raises(ValidationError) as info:
        place(world, ordinary_pupil, ordinary_school)
    assert codes(info) == ["placement_same_school", "field_required"]  # and which class there?


def test_article_18_a_move_places_the_student_in_a_class_there(world, ordinary_pupil, special_school):
    """The registration moves, so the student joins a class of the destination (class and grade):
    refused at save without one, at submission with a class of another school, and at the final
    approval if it reached review without one."""
    with pytest.raises(ValidationError) as info:
        place(world, ordinary_pupil, special_school, destination_class=None)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_required", "destination_class")]
    assert not Case.objects.exists()
    elsewhere = SchoolClassFactory(school=SchoolFactory(category="S"), stage="special", cohort=2023)
    with pytest.raises(ValidationError) as info:
        place(world, ordinary_pupil, special_school, destination_class=elsewhere.pk)
    assert codes(info) == ["placement_class"]
    case, submitter = place(world, ordinary_pupil, special_school)
    case = case_submit(acting_user=submitter, case=case)
    Case.objects.filter(pk=case.pk).update(details={"mode": "move"})  # in review from before the rule
    case.refresh_from_db()
    case = case_approve(acting_user=world.approver_of_current_step(case), case=case)  # the school's step
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=world.approver_of_current_step(case), case=case)
    assert "placement_class_required" in codes(info)
    assert registry_snapshot() == before


@pytest.mark.parametrize("mode", ["move", "stay"])
@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_rejected_or_withdrawn_case_leaves_registry_unchanged(world, ordinary_pupil, special_school, mode, action):
    case, submitter = place(world, ordinary_pupil, special_school, mode=mode)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    if action == "reject":
        case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="请补充残疾评估意见")
        assert case.state == CaseState.RETURNED
    else:
        case = case_withdraw(acting_user=submitter, case=case)
        assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before
