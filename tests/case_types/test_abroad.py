"""出境就读 and 回国(境)接续学籍 (第十九条), end to end through the services and the workflow."""

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
from cases.services.cases import case_reject, case_submit, case_withdraw
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

D = datetime.date
ABROAD = {"destination": "新加坡 南洋初级学院附属中学"}




@pytest.fixture
def junior(db):
    school_class = SchoolClassFactory(school=SchoolFactory(category="1", name="城关区第三初级中学"), stage="junior",
                                      cohort=2024)
    return register_student(school_class=school_class, stage="junior", name="周子涵")


def go_abroad(world, registration, **extra):
    fields = {"details": dict(ABROAD), "evidence": ["valid_documents"], **extra}
    return open_case(world, case_type="study_abroad", school=registration.school, student=registration.student,
                     **fields)


def come_back(world, registration, **extra):
    fields = {"evidence": ["return_documents"], "effective_on": D(2026, 9, 1), **extra}
    return open_case(world, case_type="abroad_return", school=registration.school, student=registration.student,
                     **fields)


def abroad(registration):
    return registration_change_status(acting_user=None, registration=registration, status="abroad",
                                      occurred_on=D(2026, 3, 2), reason="出境就读")


def codes(error_info):
    return [e["code"] for e in rule_errors(error_info.value)]


def test_study_abroad_keeps_registration_and_number_and_return_continues_the_archive(world, junior):
    number = junior.auxiliary_numbers.get()
    case, submitter = go_abroad(world, junior)
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [junior.school]  # the school alone
    junior.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert junior.status == "abroad" and junior.is_open and junior.ended_on is None
    assert junior.events.order_by("-id").first().status_to == "abroad"
    # 第九条 does not list study abroad among the reasons to cancel the number.
    assert junior.auxiliary_numbers.get(cancelled_at__isnull=True) == number
    assert ArchiveEntry.objects.get(case=case, kind="base_data").title == f"出境就读:{ABROAD['destination']}"
    assert ArchiveEntry.objects.filter(case=case, kind="evidence").count() == 1

    back, submitter = come_back(world, junior)
    back, approvers = submit_and_approve_all(world, back, submitter)
    assert [a.staff_profile.unit for a in approvers] == [junior.school]
    junior.refresh_from_db()
    assert junior.status == "active" and junior.events.order_by("-id").first().status_to == "active"
    assert junior.auxiliary_numbers.get(cancelled_at__isnull=True) == number  # the same number runs on
    assert AuxiliaryNumber.objects.filter(registration=junior).count() == 1
    # The same archive continues: every entry before and after is the one student's.
    entries = ArchiveEntry.objects.filter(student=junior.student, kind="base_data").order_by("id")
    assert [e.case_id for e in entries if e.case_id] == [case.pk, back.pk]
    assert "接续原学籍档案" in entries.last().body


def test_return_issues_a_number_when_the_registration_has_none_live(world, junior):
    abroad(junior)
    old = auxiliary_number_cancel(acting_user=None, registration=junior, reason="历史数据")
    other_class = SchoolClassFactory(school=junior.school, stage="junior", cohort=2024)
    case, submitter = come_back(world, junior, details={"school_class": other_class.pk})
    case, _ = submit_and_approve_all(world, case, submitter)
    junior.refresh_from_db()
    live = junior.auxiliary_numbers.get(cancelled_at__isnull=True)
    assert live.number != old.number and junior.school_class == other_class
    assert live.number in ArchiveEntry.objects.get(case=case, kind="base_data").body


def test_article_19_only_an_active_student_goes_abroad(world, junior):
    registration_change_status(acting_user=None, registration=junior, status="suspended",
                               occurred_on=D(2026, 1, 5), reason="休学")
    case, submitter = go_abroad(world, junior)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["abroad_not_active"]
    assert rule_errors(info.value)[0]["article"] == "第十九条"


def test_article_19_return_only_when_abroad(world, junior):
    case, submitter = come_back(world, junior)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["abroad_return_not_abroad"]


def test_article_19_valid_documents_and_destination_required(world, junior):
    with pytest.raises(ValidationError) as info:
        go_abroad(world, junior, details={})
    assert codes(info) == ["abroad_destination"]
    case, submitter = go_abroad(world, junior, evidence=[])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["evidence_missing"] and "有效证件" in rule_errors(info.value)[0]["message"]
    abroad(junior)
    case, submitter = come_back(world, junior, evidence=[])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert codes(info) == ["evidence_missing"]


def test_article_19_return_class_must_be_of_the_school(world, junior):
    abroad(junior)
    elsewhere = SchoolClassFactory(school=SchoolFactory(category="1"), stage="junior", cohort=2024)
    with pytest.raises(ValidationError) as info:
        come_back(world, junior, details={"school_class": elsewhere.pk})
    assert codes(info) == ["abroad_return_class"]


def test_article_19_a_student_without_a_class_returns_into_a_chosen_one(world):
    """Back in school with class and grade: a returning student whose registration has no class
    chooses one (refused at save without it) and is placed in it on approval."""
    school = SchoolFactory(category="1", name="城关区第四初级中学")
    registration = register_student(school=school, stage="junior", name="吴思远")
    abroad(registration)
    with pytest.raises(ValidationError) as info:
        come_back(world, registration)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_required", "school_class")]
    chosen = SchoolClassFactory(school=school, stage="junior", cohort=2025, class_name="3班")
    case, submitter = come_back(world, registration, details={"school_class": chosen.pk})
    submit_and_approve_all(world, case, submitter)
    registration.refresh_from_db()
    assert registration.status == "active" and registration.school_class == chosen


@pytest.mark.parametrize("case_type", ["study_abroad", "abroad_return"])
@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_rejected_or_withdrawn_case_leaves_registry_unchanged(world, junior, case_type, action):
    if case_type == "study_abroad":
        case, submitter = go_abroad(world, junior)
    else:
        abroad(junior)
        case, submitter = come_back(world, junior)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    if action == "reject":
        case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="证件不全")
        assert case.state == CaseState.RETURNED
    else:
        case = case_withdraw(acting_user=submitter, case=case)
        assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before
