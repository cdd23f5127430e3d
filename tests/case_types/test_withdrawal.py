"""退学 and 除名 (第三十三条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.errors import rule_errors
from cases.models import (
    ArchiveEntry,
    AuxiliaryNumber,
    CaseState,
)
from cases.services.auxiliary_numbers import auxiliary_number_cancel
from cases.services.cases import case_approve, case_reject, case_submit, case_withdraw
from cases.services.registrations import (
    registration_change_status,
    registration_set_suspension_end,
)
from tests.factories import SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

D = datetime.date
EVIDENCE = {
    "no_show": ["attendance_records"],
    "truancy": ["attendance_records", "contact_records"],
    "suspension_overdue": ["suspension_certificate", "contact_records"],
    "application": ["withdrawal_application"],
}




@pytest.fixture
def senior(db):
    school = SchoolFactory(category="5", name="兰州市第五十中学")
    return register_student(school=school, stage="senior", name="张晓东", birth_date=D(2009, 5, 1))


def withdraw(world, registration, reason="application", evidence=None, **extra):
    return open_case(world, case_type="withdrawal", school=registration.school, student=registration.student,
                     reason=reason, evidence=EVIDENCE[reason] if evidence is None else evidence, **extra)


def expel(world, registration, **extra):
    return open_case(world, case_type="expulsion", school=registration.school, student=registration.student,
                     reason="criminal_penalty", evidence=["criminal_judgement"], **extra)


def codes(error_info):
    return [e["code"] for e in rule_errors(error_info.value)]


def eligibility(case):
    return [e.code for e in case.case_type_class.check_eligibility(case)]


def suspend(registration, until):
    auxiliary_number_cancel(acting_user=None, registration=registration, reason="休学")
    registration_change_status(acting_user=None, registration=registration, status="suspended",
                               occurred_on=D(2025, 9, 1), reason="休学")
    registration_set_suspension_end(acting_user=None, registration=registration, until=until, reason="休学")


def assert_can_never_resume(world, registration):
    for case_type, fields in (("resumption", {"reason": "other", "evidence": ["suspension_certificate"]}),
                              ("dropout_return", {"reason": "family"})):
        case, _ = open_case(world, case_type=case_type, school=registration.school, student=registration.student,
                            **fields)
        assert eligibility(case) == ["resumption_after_withdrawal"]


def test_withdrawal_on_application_closes_the_registration_for_good(world, senior):
    old_number = senior.auxiliary_numbers.get().number
    case, submitter = withdraw(world, senior, effective_on=D(2026, 3, 16))
    case, approvers = submit_and_approve_all(world, case, submitter)

    # The school reviews, the city (general high school, 第三条) approves.
    assert [a.staff_profile.unit for a in approvers] == [senior.school, senior.school.county.parent]
    assert approvers[1].staff_profile.unit.code == "6201"
    assert case.state == CaseState.APPROVED
    senior.refresh_from_db()
    assert senior.status == "withdrawn" and not senior.is_open and senior.ended_on == D(2026, 3, 16)
    event = senior.events.order_by("-id").first()
    assert (event.status_from, event.status_to) == ("active", "withdrawn") and case.number in event.reason
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    kinds = sorted(ArchiveEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["base_data", "evidence"]
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert "(四)本人及家长申请退学" in entry.title and "不得复学" in entry.body
    assert_can_never_resume(world, senior)


def test_withdrawal_after_an_overdue_suspension(world, senior):
    suspend(senior, until=D(2026, 1, 31))
    case, submitter = withdraw(world, senior, reason="suspension_overdue", effective_on=D(2026, 3, 16))
    case, _ = submit_and_approve_all(world, case, submitter)
    senior.refresh_from_db()
    assert case.state == CaseState.APPROVED and senior.status == "withdrawn"
    assert senior.events.order_by("-id").first().status_from == "suspended"


def test_expulsion_after_a_criminal_penalty(world, senior):
    old_number = senior.auxiliary_numbers.get().number
    case, submitter = expel(world, senior)
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit.code for a in approvers[1:]] == ["6201"]
    senior.refresh_from_db()
    assert senior.status == "expelled" and not senior.is_open and senior.ended_on == case.effective_on
    assert senior.events.order_by("-id").first().status_to == "expelled"
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert entry.title.startswith("除名:第三十三条(五)") and "刑事判决书" in entry.body
    assert ArchiveEntry.objects.filter(case=case, kind="evidence").count() == 1
    assert_can_never_resume(world, senior)


def test_article_33_expulsion_needs_the_criminal_judgement(world, senior):
    case, submitter = open_case(world, case_type="expulsion", school=senior.school, student=senior.student,
                                reason="criminal_penalty")
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["evidence_missing"] and "刑事判决书" in rule_errors(info.value)[0]["message"]


@pytest.mark.parametrize("case_type", ["withdrawal", "expulsion"])
def test_article_33_no_withdrawal_in_compulsory_education(world, case_type):
    junior = register_student(school=SchoolFactory(category="1"), stage="junior")
    case, submitter = withdraw(world, junior) if case_type == "withdrawal" else expel(world, junior)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == [f"{case_type}_compulsory"]
    assert rule_errors(info.value)[0]["article"] == "第三十三条"


@pytest.mark.parametrize("case_type", ["withdrawal", "expulsion"])
def test_article_33_applies_to_general_high_school_only(world, case_type):
    vocational = register_student(school=SchoolFactory(category="6"), stage="vocational", birth_date=D(2009, 5, 1))
    case, submitter = withdraw(world, vocational) if case_type == "withdrawal" else expel(world, vocational)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == [f"{case_type}_not_senior"]


@pytest.mark.parametrize("case_type", ["withdrawal", "expulsion"])
def test_article_33_only_an_open_registration(world, senior, case_type):
    registration_change_status(acting_user=None, registration=senior, status="graduated",
                               occurred_on=D(2026, 1, 5), reason="毕业")
    case, submitter = withdraw(world, senior) if case_type == "withdrawal" else expel(world, senior)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == [f"{case_type}_not_open"]


def test_article_33_ground_1_only_more_than_15_days_after_term_start(world, senior):
    with pytest.raises(ValidationError) as info:
        withdraw(world, senior, reason="no_show")
    assert codes(info) == ["withdrawal_term_start"]
    details = {"term_started_on": "2026-03-02"}
    case, submitter = withdraw(world, senior, reason="no_show", details=details, effective_on=D(2026, 3, 17))
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["withdrawal_no_show_within_15_days"]
    case, _ = withdraw(world, senior, reason="no_show", details=details, effective_on=D(2026, 3, 18))
    assert eligibility(case) == []


def test_article_33_ground_2_truancy_of_a_third_of_the_term(world, senior):
    with pytest.raises(ValidationError) as info:
        withdraw(world, senior, reason="truancy", details={"absent_hours": 100})
    assert codes(info) == ["withdrawal_hours"]
    case, submitter = withdraw(world, senior, reason="truancy", details={"absent_hours": 99, "term_hours": 300})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["withdrawal_truancy_below_a_third"]
    case, _ = withdraw(world, senior, reason="truancy", details={"absent_hours": 100, "term_hours": 300})
    assert eligibility(case) == []  # 三分之一以上 includes a third


def test_article_33_ground_2_needs_attendance_and_contact_records(world, senior):
    case, submitter = withdraw(world, senior, reason="truancy", evidence=["attendance_records"],
                               details={"absent_hours": 120, "term_hours": 300})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["evidence_missing"] and "联系" in rule_errors(info.value)[0]["message"]


def test_article_33_ground_3_only_after_the_suspension_ended(world, senior):
    case, submitter = withdraw(world, senior, reason="suspension_overdue")
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["withdrawal_suspension_not_over"]  # not suspended at all
    suspend(senior, until=D(2026, 6, 30))
    case, _ = withdraw(world, senior, reason="suspension_overdue", effective_on=D(2026, 3, 16))
    assert eligibility(case) == ["withdrawal_suspension_not_over"]  # the suspension runs on


@pytest.mark.parametrize("case_type", ["withdrawal", "expulsion"])
@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_rejected_or_withdrawn_case_leaves_registry_unchanged(world, senior, case_type, action):
    case, submitter = withdraw(world, senior) if case_type == "withdrawal" else expel(world, senior)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    if action == "reject":
        # The school approves, the city returns the case.
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case, comment="同意")
        case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="证据不足")
        assert case.state == CaseState.RETURNED
    else:
        case = case_withdraw(acting_user=submitter, case=case)
        assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before
