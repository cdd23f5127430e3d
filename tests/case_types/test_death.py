"""死亡注销 (第二十条): reported within 10 working days, counted on China's calendar."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.case_types.death import is_late, report_due_on, report_working_days
from cases.errors import rule_errors
from cases.models import (
    ArchiveEntry,
    AuxiliaryNumber,
    Case,
    CaseState,
)
from cases.services.cases import case_reject, case_submit, case_withdraw
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Died Friday 26 September 2025. The 10 working days after it, on China's calendar:
#   Sat 27 off; Sun 28 make-up working day (1); Mon 29 (2); Tue 30 (3);
#   1–8 October National Day and Mid-Autumn holiday;
#   Thu 9 (4); Fri 10 (5); Sat 11 make-up working day (6); Sun 12 off;
#   Mon 13 (7); Tue 14 (8); Wed 15 (9); Thu 16 (10) → due Thursday 16 October 2025.
DIED_ON = "2025-09-26"
DUE_ON = D(2025, 10, 16)




@pytest.fixture
def pupil(db):
    school_class = SchoolClassFactory(school=SchoolFactory(category="0"), stage="primary", cohort=2023)
    return register_student(school_class=school_class, stage="primary", name="赵小雨", birth_date=D(2016, 3, 1))


def report_death(world, registration, reported_on=DUE_ON, died_on=DIED_ON, evidence=("death_proof",)):
    case, submitter = open_case(world, case_type="death", school=registration.school, student=registration.student,
                                effective_on=reported_on, details={"died_on": died_on}, evidence=evidence)
    # The school reported (opened the case) on ``reported_on``.
    created = datetime.datetime.combine(reported_on, datetime.time(10), tzinfo=SHANGHAI)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    return case, submitter


def test_death_reported_in_time_cancels_the_registration(world, pupil):
    old_number = pupil.auxiliary_numbers.get().number
    case, submitter = report_death(world, pupil)
    assert not is_late(case)
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit.code for a in approvers] == ["620102"]  # the county authority
    assert case.state == CaseState.APPROVED and "reported_late" not in case.details
    pupil.refresh_from_db()
    # Closed, and ended on the day of death.
    assert pupil.status == "deceased" and not pupil.is_open and pupil.ended_on == D(2025, 9, 26)
    event = pupil.events.order_by("-id").first()
    assert (event.status_from, event.status_to, event.occurred_on) == ("active", "deceased", D(2025, 9, 26))
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    entry = ArchiveEntry.objects.get(case=case, kind="base_data")
    assert entry.title == "死亡注销:2025年9月26日死亡"
    assert "第10个工作日" in entry.body and "2025年10月16日" in entry.body and "逾期" not in entry.body
    assert ArchiveEntry.objects.filter(case=case, kind="evidence").count() == 1


def test_article_20_report_within_10_working_days_across_national_day(world, pupil):
    on_time, _ = report_death(world, pupil, reported_on=DUE_ON)
    assert report_due_on(on_time) == DUE_ON
    assert report_working_days(on_time) == 10 and is_late(on_time) is False
    late, _ = report_death(world, pupil, reported_on=D(2025, 10, 17))
    assert report_working_days(late) == 11 and is_late(late) is True


def test_article_20_late_report_is_flagged_but_still_cancels_the_registration(world, pupil):
    case, submitter = report_death(world, pupil, reported_on=D(2025, 10, 17))
    case, _ = submit_and_approve_all(world, case, submitter)  # lateness blocks nothing
    assert case.state == CaseState.APPROVED and case.details["reported_late"] is True
    case.refresh_from_db()
    assert case.details == {"died_on": DIED_ON, "reported_late": True}
    pupil.refresh_from_db()
    assert pupil.status == "deceased"
    body = ArchiveEntry.objects.get(case=case, kind="base_data").body
    assert "第11个工作日" in body and "逾期报告" in body


def test_article_20_only_an_open_registration_is_cancelled(world, pupil):
    registration_change_status(acting_user=None, registration=pupil, status="transferred_out",
                               occurred_on=D(2025, 9, 20), reason="转出")
    case, submitter = report_death(world, pupil)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["death_registration_closed"]
    assert rule_errors(info.value)[0]["article"] == "第二十条"


def test_article_20_death_proof_and_date_required(world, pupil):
    case, submitter = report_death(world, pupil, evidence=())
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["evidence_missing"]
    with pytest.raises(ValidationError) as info:
        report_death(world, pupil, died_on="26/09/2025")
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_invalid", "died_on")]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as info:
        report_death(world, pupil, died_on=tomorrow)
    assert [e["code"] for e in rule_errors(info.value)] == ["death_date_future"]


@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_rejected_or_withdrawn_case_leaves_registry_unchanged(world, pupil, action):
    case, submitter = report_death(world, pupil)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    if action == "reject":
        case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="请补充死亡证明原件")
        assert case.state == CaseState.RETURNED
    else:
        case = case_withdraw(acting_user=submitter, case=case)
        assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before
