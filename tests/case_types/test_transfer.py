"""转学 (第二十二~二十六条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.errors import rule_errors
from cases.models import (
    AuxiliaryNumber,
    CaseState,
    Jurisdiction,
    Registration,
    RegistryTaskState,
    Student,
)
from cases.services.cases import (
    case_approve,
    case_override,
    case_reject,
    case_submit,
    case_withdraw,
)
from cases.workflow import current_step
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

EVIDENCE = ["transfer_application", "residence_proof"]




@pytest.fixture
def second_grader(db):
    origin = SchoolFactory(category="1", name="城关区第一初级中学")
    school_class = SchoolClassFactory(school=origin, stage="junior", cohort=2024)  # grade 2 in spring 2026
    return register_student(school_class=school_class, stage="junior", name="王小明")


def within(world, registration, destination, **extra):
    return open_case(world, case_type="transfer", school=registration.school, student=registration.student,
                     transfer_scope="within", destination_school=destination, reason="relocation",
                     evidence=EVIDENCE, **extra)


def test_transfer_across_cities_goes_through_four_steps_and_moves_the_student(world, second_grader):
    destination = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"), name="秦州区第二中学")
    SchoolClassFactory(school=destination, stage="junior", cohort=2024)
    case, submitter = within(world, second_grader, destination)
    old_number = second_grader.auxiliary_numbers.get().number
    case, approvers = submit_and_approve_all(world, case, submitter)

    units = [a.staff_profile.unit for a in approvers]
    assert units == [destination, second_grader.school, Jurisdiction.objects.get(code="620102"),
                     Jurisdiction.objects.get(code="620502")]
    assert case.state == CaseState.APPROVED
    second_grader.refresh_from_db()
    assert second_grader.status == "transferred_out" and second_grader.ended_on == case.effective_on
    new = Registration.objects.open().get(student=second_grader.student)
    assert new.school == destination and new.stage == "junior"
    assert AuxiliaryNumber.objects.get(number=old_number).cancelled_at is not None
    assert new.auxiliary_numbers.get(cancelled_at__isnull=True).number != old_number
    student = Student.objects.get(pk=second_grader.student_id)
    assert student.paper_archive_school == destination
    titles = list(student.archive_entries.filter(case=case).values_list("kind", flat=True))
    assert titles.count("evidence") == 2 and "base_data" in titles


def test_both_schools_under_one_authority_make_its_two_steps_one(world, second_grader):
    destination = SchoolFactory(category="1", name="城关区第二初级中学")  # same county
    case, submitter = within(world, second_grader, destination)
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert len(approvers) == 3 and case.state == CaseState.APPROVED
    statuses = list(RegistryTaskState.objects.filter(workflow_state__object_id=str(case.pk))
                    .order_by("id").values_list("status", flat=True))
    assert statuses == ["approved", "approved", "approved", "skipped", "skipped"]


def test_each_step_refuses_users_of_the_wrong_unit_or_level(world, second_grader):
    destination = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"))
    case, submitter = within(world, second_grader, destination)
    case = case_submit(acting_user=submitter, case=case)
    county = Jurisdiction.objects.get(code="620102")
    wrong = [
        submitter,  # the origin school may not consent for the destination school
        world.authority_user(county),  # an authority may not take a school's step
        world.school_user(SchoolFactory(category="1")),  # an unrelated school
    ]
    before = registry_snapshot()
    for user in wrong:
        with pytest.raises(PermissionDenied):
            case_approve(acting_user=user, case=case)
    assert current_step(case).approver_school == destination
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=world.school_head(second_grader.school), case=case)
    # The county step: a registrar (not reviewer/head) of the right county is refused.
    from cases.models import Role

    with pytest.raises(PermissionDenied):
        case_approve(acting_user=world.authority_user(county, role=Role.REGISTRAR), case=case)
    with pytest.raises(PermissionDenied):
        case_approve(acting_user=world.authority_user(Jurisdiction.objects.get(code="620502")), case=case)
    assert registry_snapshot() == before


def test_rejected_case_returns_to_submitter_and_leaves_registry_unchanged(world, second_grader):
    destination = SchoolFactory(category="1")
    case, submitter = within(world, second_grader, destination)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    with pytest.raises(ValidationError) as info:
        case_reject(acting_user=world.school_head(second_grader.school), case=case, comment="")
    assert [e["code"] for e in rule_errors(info.value)] == ["reject_comment_required"]
    case = case_reject(acting_user=world.school_head(second_grader.school), case=case, comment="请补充居住证明原件")
    assert case.state == CaseState.RETURNED
    assert registry_snapshot() == before
    # Resubmitted, it resumes and can be approved to the end.
    case = case_submit(acting_user=submitter, case=case)
    while current_step(case) is not None:
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case)
    assert case.state == CaseState.APPROVED


def test_withdrawn_case_leaves_registry_unchanged_and_cannot_be_approved(world, second_grader):
    destination = SchoolFactory(category="1")
    case, submitter = within(world, second_grader, destination)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and current_step(case) is None
    with pytest.raises(ValidationError):
        case_approve(acting_user=world.school_user(destination), case=case)
    assert registry_snapshot() == before


def test_failure_at_final_approval_rolls_back_the_approval(world, second_grader):
    destination = SchoolFactory(category="1")
    case, submitter = within(world, second_grader, destination)
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=world.school_head(second_grader.school), case=case)
    # Meanwhile the destination stops offering junior classes: the last approval must fail whole.
    destination.stages = ["primary"]
    destination.save()
    before = registry_snapshot()
    approver = world.approver_of_current_step(case)
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=approver, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["transfer_destination_stage"]
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW and current_step(case).status == "in_progress"
    assert registry_snapshot() == before


def test_article_26_initial_grade_generally_refused_unless_overridden(world):
    origin = SchoolFactory(category="1")
    first_year = SchoolClassFactory(school=origin, stage="junior", cohort=2025)
    registration = register_student(school_class=first_year, stage="junior")
    destination = SchoolFactory(category="1")
    case, submitter = within(world, registration, destination, effective_on=datetime.date(2026, 3, 2))
    case = case_submit(acting_user=submitter, case=case)  # a "generally" rule does not block submission
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=world.school_head(origin), case=case)
    authority = world.approver_of_current_step(case)
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=authority, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["transfer_initial_grade"]
    with pytest.raises(PermissionDenied):  # only the approving authority may override
        case_override(acting_user=submitter, case=case, rule_code="transfer_initial_grade", reason="随迁")
    case = case_override(acting_user=authority, case=case, rule_code="transfer_initial_grade", reason="父母工作调动")
    assert case.overrides[0]["reason"] == "父母工作调动" and case.overrides[0]["article"] == "第二十六条"
    case = case_approve(acting_user=authority, case=case)
    assert case.state == CaseState.APPROVED


def test_article_26_no_transfer_during_suspension(world, second_grader):
    from cases.services.registrations import registration_change_status

    registration_change_status(acting_user=None, registration=second_grader, status="suspended",
                               occurred_on=datetime.date(2026, 1, 5), reason="休学")
    case, submitter = within(world, second_grader, SchoolFactory(category="1"))
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert "transfer_during_suspension" in [e["code"] for e in rule_errors(info.value)]
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_article_26_no_transfer_across_grades(world, second_grader):
    destination = SchoolFactory(category="1")
    other_grade = SchoolClassFactory(school=destination, stage="junior", cohort=2023)
    case, submitter = within(world, second_grader, destination, details={"destination_class": other_grade.pk})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert "transfer_across_grades" in [e["code"] for e in rule_errors(info.value)]


def test_article_26_vocational_students_never_move_to_general_high_school(world):
    origin = SchoolFactory(category="6")
    registration = register_student(school=origin, stage="vocational", birth_date=datetime.date(2009, 5, 1))
    case, submitter = within(world, registration, SchoolFactory(category="5"))
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert "transfer_vocational_to_general" in [e["code"] for e in rule_errors(info.value)]


def test_article_26_senior_within_same_county_generally_refused(world):
    origin = SchoolFactory(category="5")
    registration = register_student(school=origin, stage="senior", birth_date=datetime.date(2009, 5, 1))
    case, submitter = within(world, registration, SchoolFactory(category="5"))
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.generally) for e in errors] == [("transfer_senior_same_area", True)]


def test_submit_refuses_missing_evidence(world, second_grader):
    case, submitter = open_case(world, case_type="transfer", school=second_grader.school,
                                student=second_grader.student, transfer_scope="within",
                                destination_school=SchoolFactory(category="1"), reason="household",
                                evidence=["transfer_application"])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["evidence_missing"]
    assert "户口簿" in rule_errors(info.value)[0]["message"]


def test_out_of_province_senior_transfer_needs_the_exam_authority(world):
    origin = SchoolFactory(category="5")
    registration = register_student(school=origin, stage="senior", birth_date=datetime.date(2009, 5, 1))
    case, submitter = open_case(world, case_type="transfer", school=origin, student=registration.student,
                                transfer_scope="out", external_school="西安市第一中学", external_province="61",
                                reason="relocation", evidence=EVIDENCE)
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert [a.staff_profile.unit.code for a in approvers[1:]] == ["6201", "62"]
    registration.refresh_from_db()
    assert registration.status == "transferred_out"
    assert not Registration.objects.open().filter(student=registration.student).exists()


def test_into_province_transfer_registers_the_newcomer(world):
    school = SchoolFactory(category="1")
    person = {"name": "陈思远", "gender": "M", "birth_date": "2012-05-01",
              "id_number": __import__("cases.numbers.id_number", fromlist=["x"]).make_id_number(
                  "610102", datetime.date(2012, 5, 1), 15)}
    case, submitter = open_case(world, case_type="transfer", school=school, transfer_scope="in",
                                external_school="西安市某中学", external_province="61", reason="relocation",
                                stage="junior", details={"person": person}, evidence=EVIDENCE)
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert case.state == CaseState.APPROVED and case.student.name == "陈思远"
    registration = Registration.objects.open().get(student=case.student)
    assert registration.school == school and registration.auxiliary_numbers.filter(cancelled_at__isnull=True).exists()
