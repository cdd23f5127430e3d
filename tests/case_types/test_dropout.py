"""辍学报告 and 辍学复学 (第三十二条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.errors import rule_errors
from cases.models import (
    ArchiveEntry,
    AuxiliaryNumber,
    CaseState,
    Jurisdiction,
)
from cases.services.auxiliary_numbers import auxiliary_number_cancel
from cases.services.cases import case_reject, case_submit, case_withdraw
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

D = datetime.date
REPORT = {"township_reported_on": "2026-03-09", "absent_since": "2026-03-02"}




@pytest.fixture
def school(db):
    county = Jurisdiction.objects.get(code="620102")
    township = Jurisdiction.objects.create(code="620102001", name="酒泉路街道", level="township", parent=county)
    return SchoolFactory(category="1", name="城关区第一初级中学", township=township)


@pytest.fixture
def second_grader(school):
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)  # grade 2 in spring 2026
    return register_student(school_class=school_class, stage="junior", name="李小华")


def report_dropout(world, registration, **extra):
    fields = {"reason": "work", "details": dict(REPORT), "effective_on": D(2026, 3, 9), **extra}
    return open_case(world, case_type="dropout", school=registration.school, student=registration.student, **fields)


def dropped_out(registration, on=D(2026, 3, 9)):
    """Set-up through the services (no case): a dropout of ``on``, number cancelled."""
    auxiliary_number_cancel(acting_user=None, registration=registration, reason="辍学")
    return registration_change_status(acting_user=None, registration=registration, status="dropped_out",
                                      occurred_on=on, reason="辍学")


def codes(error_info):
    return [e["code"] for e in rule_errors(error_info.value)]


def test_dropout_is_recorded_by_the_county_and_keeps_the_registration(world, second_grader):
    old_number = second_grader.auxiliary_numbers.get().number
    case, submitter = report_dropout(world, second_grader)
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit.code for a in approvers] == ["620102"]  # the county records it
    assert case.state == CaseState.APPROVED
    second_grader.refresh_from_db()
    assert second_grader.status == "dropped_out" and second_grader.is_open and second_grader.ended_on is None
    event = second_grader.events.order_by("-id").first()
    assert (event.status_from, event.status_to, event.occurred_on) == ("active", "dropped_out", D(2026, 3, 9))
    assert case.number in event.reason
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    assert not second_grader.auxiliary_numbers.filter(cancelled_at__isnull=True).exists()
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert "酒泉路街道" in entry.title and "2026年3月9日" in entry.title
    assert "2026年3月2日" in entry.body and "保留学籍" in entry.body


def test_migrant_dropout_archive_notes_the_hand_over_to_the_household_county(world, school):
    registration = register_student(school=school, stage="junior", is_migrant=True,
                                    household_county=Jurisdiction.objects.get(code="620502"))
    case, submitter = report_dropout(world, registration)
    submit_and_approve_all(world, case, submitter)
    assert "秦州区" in ArchiveEntry.objects.get(case=case, kind="base_data").body


def test_return_after_dropout_goes_back_to_the_grade_left_with_a_new_number(world, school, second_grader):
    case, submitter = report_dropout(world, second_grader)
    submit_and_approve_all(world, case, submitter)
    cancelled = set(AuxiliaryNumber.objects.values_list("number", flat=True))
    # A year and a half later the grade-2 class is the 2025 cohort's.
    younger = SchoolClassFactory(school=school, stage="junior", cohort=2025)
    back, submitter = open_case(world, case_type="dropout_return", school=school, student=second_grader.student,
                                reason="mobilized", effective_on=D(2026, 9, 7))
    back, approvers = submit_and_approve_all(world, back, submitter)

    assert [a.staff_profile.unit.code for a in approvers] == ["620102"]
    second_grader.refresh_from_db()
    assert second_grader.status == "active" and second_grader.school_class == younger
    assert younger.grade(D(2026, 9, 7)) == 2
    assert second_grader.events.order_by("-id").first().status_to == "active"
    live = second_grader.auxiliary_numbers.get(cancelled_at__isnull=True)
    assert live.number not in cancelled
    entry = ArchiveEntry.objects.get(case=back, kind="base_data")
    assert entry.title == "辍学复学:回到原2年级就读" and "重新编排学籍辅号" in entry.body


def test_article_32_dropout_only_in_compulsory_education(world):
    registration = register_student(school=SchoolFactory(category="5"), stage="senior",
                                    birth_date=D(2009, 5, 1))
    case, submitter = report_dropout(world, registration)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["dropout_not_compulsory"]
    assert rule_errors(info.value)[0]["article"] == "第三十二条"


def test_article_32_dropout_reported_only_for_an_active_registration(world, second_grader):
    registration_change_status(acting_user=None, registration=second_grader, status="suspended",
                               occurred_on=D(2026, 1, 5), reason="休学")
    case, submitter = report_dropout(world, second_grader)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["dropout_not_active"]


def test_article_32_written_report_to_the_township_is_dated(world, second_grader):
    with pytest.raises(ValidationError) as info:
        report_dropout(world, second_grader, details={})
    assert codes(info) == ["dropout_township_report", "dropout_absent_since"]
    with pytest.raises(ValidationError) as info:
        report_dropout(world, second_grader, details={"township_reported_on": "2026-03-01",
                                                      "absent_since": "2026-03-02"})
    assert codes(info) == ["dropout_dates"]


def test_article_32_return_only_after_dropout(world, second_grader):
    case, submitter = open_case(world, case_type="dropout_return", school=second_grader.school,
                                student=second_grader.student, reason="family")
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["dropout_return_wrong_status"]


def test_article_32_return_needs_a_class_of_the_grade_left(world, second_grader):
    dropped_out(second_grader)
    # September 2026: no class of the 2025 cohort (grade 2) exists yet.
    case, submitter = open_case(world, case_type="dropout_return", school=second_grader.school,
                                student=second_grader.student, reason="family", effective_on=D(2026, 9, 7))
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["return_no_class"]


def test_article_32_return_is_never_refused_by_a_generally_rule(world, second_grader):
    dropped_out(second_grader)
    case, _ = open_case(world, case_type="dropout_return", school=second_grader.school,
                        student=second_grader.student, reason="family", effective_on=D(2026, 4, 1))
    assert case.case_type_class.check_eligibility(case) == []


def test_article_33_withdrawn_student_cannot_return(world):
    registration = register_student(school=SchoolFactory(category="5"), stage="senior", birth_date=D(2009, 5, 1))
    registration_change_status(acting_user=None, registration=registration, status="withdrawn",
                               occurred_on=D(2026, 1, 5), reason="退学")
    case, _ = open_case(world, case_type="dropout_return", school=registration.school,
                        student=registration.student, reason="family")
    assert [e.code for e in case.case_type_class.check_eligibility(case)] == ["resumption_after_withdrawal"]


@pytest.mark.parametrize("case_type", ["dropout", "dropout_return"])
@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_rejected_or_withdrawn_case_leaves_registry_unchanged(world, second_grader, case_type, action):
    if case_type == "dropout":
        case, submitter = report_dropout(world, second_grader)
    else:
        dropped_out(second_grader)
        case, submitter = open_case(world, case_type="dropout_return", school=second_grader.school,
                                    student=second_grader.student, reason="family", effective_on=D(2026, 4, 1))
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    if action == "reject":
        case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="请补充书面报告")
        assert case.state == CaseState.RETURNED
    else:
        case = case_withdraw(acting_user=submitter, case=case)
        assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before
