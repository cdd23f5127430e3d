"""Two cases about one student that cannot both apply: refused at submission (at most one open
status-changing case per student unless the types are compatible), and at final approval every
rule is re-checked after the student's open registration is locked."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cases.case_types import get_case_type
from cases.errors import rule_errors
from cases.models import Case, CaseState, Registration
from cases.services import cases as case_services
from cases.services.cases import case_approve, case_submit, case_withdraw
from tests.case_types.helpers import World, open_case, registry_snapshot
from tests.case_types.test_suspension import suspend
from tests.case_types.test_transfer import within
from tests.factories import SchoolClassFactory, SchoolFactory, register_student



@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def pupil(db):
    origin = SchoolFactory(category="1", name="城关区第一初级中学")
    school_class = SchoolClassFactory(school=origin, stage="junior", cohort=2024)
    return register_student(school_class=school_class, stage="junior", name="王小明")


def suspension(world, registration):
    return suspend(world, registration)  # the suspension tests' own case, fields as they declare them


def transfer(world, registration):
    return within(world, registration, SchoolFactory(category="1", name="城关区第二初级中学"))  # same county


def approve_until_last_step(world, case, steps):
    """Approve all but the last of ``steps`` approvals; returns the case and the last approver."""
    for _ in range(steps - 1):
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case, comment="同意")
    assert case.state == CaseState.IN_REVIEW
    return case, world.approver_of_current_step(case)


def test_compatibility_is_declared_per_type():
    assert not get_case_type("transfer").compatible(get_case_type("suspension"))
    assert not get_case_type("suspension").compatible(get_case_type("withdrawal"))
    assert get_case_type("correction").compatible(get_case_type("transfer"))  # changes no status


def test_a_second_status_changing_case_is_refused_at_submission(world, pupil):
    first, submitter = suspension(world, pupil)
    case_submit(acting_user=submitter, case=first)
    second, _ = transfer(world, pupil)
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=second)
    errors = rule_errors(info.value)
    assert [e["code"] for e in errors] == ["case_conflict"]
    assert first.number in errors[0]["message"] and "休学" in errors[0]["message"]
    second.refresh_from_db()
    assert second.state == CaseState.DRAFT and second.submitted_at is None
    assert registry_snapshot() == before
    # Once the first is withdrawn, the second may go.
    case_withdraw(acting_user=submitter, case=first)
    assert case_submit(acting_user=submitter, case=second).state == CaseState.IN_REVIEW


def test_a_case_that_changes_no_status_runs_beside_one_that_does(world, pupil):
    first, submitter = suspension(world, pupil)
    case_submit(acting_user=submitter, case=first)
    correction, _ = open_case(world, case_type="correction", school=pupil.school, student=pupil.student,
                              reason="name", details={"changes": {"name": "王晓明"}},
                              evidence=[k.code for k in get_case_type("correction").required_evidence(
                                  Case(case_type="correction", reason="name"))])
    try:
        case_submit(acting_user=submitter, case=correction)
    except ValidationError as error:  # other rules of the correction may speak; never the conflict
        assert "case_conflict" not in [e["code"] for e in rule_errors(error)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transfer_and_suspension_approved_at_the_same_moment_exactly_one_takes_effect(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    world = World()
    origin = SchoolFactory(category="1", name="城关区第一初级中学")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024),
                                     stage="junior", name="王小明")
    moving, submitter = transfer(world, registration)
    resting, _ = suspension(world, registration)
    case_submit(acting_user=submitter, case=moving)
    # Two cases already in review together (submitted before the submission rule existed):
    # final approval alone must keep them from both taking effect.
    with monkeypatch.context() as patch:
        patch.setattr(case_services, "conflicting_cases", lambda case: [])
        case_submit(acting_user=submitter, case=resting)
    # Transfer within one county: destination school, origin school, the county. Suspension:
    # the school, the county.
    finals = [approve_until_last_step(world, Case.objects.get(pk=moving.pk), 3),
              approve_until_last_step(world, Case.objects.get(pk=resting.pk), 2)]

    barrier = threading.Barrier(2)
    outcomes, unexpected = {}, []

    def approve(case, approver):
        try:
            barrier.wait(timeout=30)
            case_approve(acting_user=approver, case=case, comment="同意")
            outcomes[case.case_type] = "approved"
        except ValidationError as error:
            outcomes[case.case_type] = [e["code"] for e in rule_errors(error)]
        except Exception as error:
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=final) for final in finals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert unexpected == []
    assert sorted(map(str, outcomes.values())).count("approved") == 1, outcomes
    states = dict(Case.objects.filter(pk__in=[moving.pk, resting.pk]).values_list("case_type", "state"))
    assert sorted(states.values()) == [CaseState.APPROVED, CaseState.IN_REVIEW]
    registration.refresh_from_db()
    winner = next(code for code, state in states.items() if state == CaseState.APPROVED)
    expected_status = {"transfer": "transferred_out", "suspension": "suspended"}[winner]
    assert registration.status == expected_status
    assert list(registration.events.values_list("status_to", flat=True)) == ["active", expected_status]
    # A transfer opens one registration at the destination; a suspension none.
    assert Registration.objects.filter(student=registration.student).count() == (2 if winner == "transfer" else 1)
