"""信息变更 (第十五条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.errors import rule_errors
from cases.models import CaseState, Student
from cases.services.cases import case_reject, case_submit
from tests.factories import register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all


def test_name_and_native_place_corrected_old_values_kept(world):
    registration = register_student(name="王小明", native_place="甘肃兰州")
    case, submitter = open_case(world, case_type="correction", school=registration.school,
                                student=registration.student,
                                details={"changes": {"name": "王晓明", "native_place": "甘肃天水"}},
                                evidence=["household_register_copy"])
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert len(approvers) == 2 and case.state == CaseState.APPROVED
    student = Student.objects.get(pk=registration.student_id)
    assert (student.name, student.native_place, student.former_names) == ("王晓明", "甘肃天水", "王小明")
    entry = student.archive_entries.get(case=case, kind="base_data")
    assert "王小明 → 王晓明" in entry.body and "甘肃兰州 → 甘肃天水" in entry.body
    assert student.archive_entries.filter(case=case, kind="evidence").count() == 1


def test_article_15_birth_date_must_still_agree_with_the_id_number(world):
    """Refused when submitted (not first at the last approval), shown on the saved case."""
    registration = register_student()
    student = registration.student
    case, submitter = open_case(world, case_type="correction", school=registration.school, student=student,
                                details={"changes": {"birth_date": "2011-01-01"}}, evidence=["household_register_copy"])
    assert [(e.code, e.field, e.article) for e in case.case_type_class.check_eligibility(case)] == [
        ("correction_id_birth_date_mismatch", "changes_birth_date", "第十五条")]
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["correction_id_birth_date_mismatch"]
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.submitted_at is None and registry_snapshot() == before


def test_article_15_gender_must_agree_with_the_id_number(world):
    registration = register_student()
    student = registration.student
    wrong = "F" if student.gender == "M" else "M"
    case, submitter = open_case(world, case_type="correction", school=registration.school, student=student,
                                details={"changes": {"gender": "女" if wrong == "F" else "男"}},
                                evidence=["household_register_copy"])
    assert case.details == {"changes": {"gender": wrong}}  # typed as 男/女, stored as the code
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [
        ("correction_id_gender_mismatch", "changes_gender")]


def test_article_15_a_birth_date_that_agrees_with_the_id_number_is_corrected(world):
    registration = register_student()
    student = registration.student
    from cases.numbers.id_number import birth_date_from_id

    right = birth_date_from_id(student.id_number)
    Student.objects.filter(pk=student.pk).update(birth_date=right + datetime.timedelta(days=1))  # a typo to fix
    student.refresh_from_db()
    case, submitter = open_case(world, case_type="correction", school=registration.school, student=student,
                                details={"changes": {"birth_date": right}}, evidence=["household_register_copy"])
    assert case.case_type_class.check_eligibility(case) == []
    case, _ = submit_and_approve_all(world, case, submitter)
    assert case.state == CaseState.APPROVED and Student.objects.get(pk=student.pk).birth_date == right


def test_article_15_no_correction_without_household_register_copy(world):
    registration = register_student()
    case, submitter = open_case(world, case_type="correction", school=registration.school,
                                student=registration.student, details={"changes": {"name": "王晓明"}})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["evidence_missing"]


def test_article_15_only_name_birth_date_native_place_gender_ethnicity(world):
    registration = register_student()
    with pytest.raises(ValidationError) as info:
        open_case(world, case_type="correction", school=registration.school, student=registration.student,
                  details={"changes": {"registry_number": "G1"}})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [
        ("case_field_unknown", "changes_registry_number")]


def test_rejected_correction_changes_nothing(world):
    registration = register_student(name="王小明")
    before = registry_snapshot()
    case, submitter = open_case(world, case_type="correction", school=registration.school,
                                student=registration.student, details={"changes": {"name": "王晓明"}},
                                evidence=["household_register_copy"], effective_on=datetime.date(2026, 3, 2))
    case = case_submit(acting_user=submitter, case=case)
    case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="户口簿复印件不清晰")
    assert registry_snapshot() == before
    assert Student.objects.get(pk=registration.student_id).name == "王小明"
