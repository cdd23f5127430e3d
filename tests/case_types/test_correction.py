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
    registration = register_student()
    student = registration.student
    case, submitter = open_case(world, case_type="correction", school=registration.school, student=student,
                                details={"changes": {"birth_date": "2011-01-01"}}, evidence=["household_register_copy"])
    case = case_submit(acting_user=submitter, case=case)
    case = case.__class__.objects.get(pk=case.pk)
    from cases.services.cases import case_approve
    from cases.workflow import current_step

    before = registry_snapshot()
    case = case_approve(acting_user=world.approver_of_current_step(case), case=case)
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=world.approver_of_current_step(case), case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["id_birth_date_mismatch"]
    assert registry_snapshot() == before and current_step(case) is not None


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
