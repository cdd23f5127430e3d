"""转学 (第二十二~二十六条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.errors import rule_errors
from cases.models import (
    AuxiliaryNumber,
    Case,
    CaseState,
    Jurisdiction,
    Registration,
    RegistryTaskState,
    SchoolClass,
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
    """A transfer into a class of the student's cohort at the destination (made when missing)."""
    if "details" not in extra:
        cohort = registration.school_class.cohort if registration.school_class_id else registration.started_on.year
        target = SchoolClass.objects.filter(school=destination, stage=registration.stage, cohort=cohort).first() or \
            SchoolClassFactory(school=destination, stage=registration.stage, cohort=cohort)
        extra["details"] = {"destination_class": target.pk}
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
    registration = register_student(school=origin, stage="senior", birth_date=datetime.date(2009, 5, 1),
                                    started_on=datetime.date(2024, 9, 1))  # second year: not the initial grade
    case, submitter = within(world, registration, SchoolFactory(category="5"))
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.generally) for e in errors] == [("transfer_senior_same_area", True)]


def test_submit_refuses_missing_evidence(world, second_grader):
    destination = SchoolFactory(category="1")
    target = SchoolClassFactory(school=destination, stage="junior", cohort=2024)
    case, submitter = open_case(world, case_type="transfer", school=second_grader.school,
                                student=second_grader.student, transfer_scope="within",
                                destination_school=destination, reason="household",
                                evidence=["transfer_application"], details={"destination_class": target.pk})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["evidence_missing"]
    assert "户口簿" in rule_errors(info.value)[0]["message"]


def test_article_22_out_of_province_senior_transfer_needs_the_exam_authority(world):
    """第二十二条: 普通高中学生跨省转学需由转出省的省级考试管理部门确认其高中学业水平考试成绩. The exam
    authority is a unit of its own: the province's registry reviewers cannot take its step, and its
    staff take no registry step."""
    from cases.models import Office

    origin = SchoolFactory(category="5")
    registration = register_student(school=origin, stage="senior", birth_date=datetime.date(2009, 5, 1),
                                    started_on=datetime.date(2024, 9, 1))
    case, submitter = open_case(world, case_type="transfer", school=origin, student=registration.student,
                                transfer_scope="out", external_school="西安市第一中学", external_province="61",
                                reason="relocation", evidence=EVIDENCE)
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_head(origin), case=case)  # not the submitter
    city = world.authority_user(Jurisdiction.objects.get(code="6201"))
    exam = world.exam_user()
    with pytest.raises(PermissionDenied):  # the exam authority takes no registry step
        case_approve(acting_user=exam, case=case)
    case = case_approve(acting_user=city, case=case)
    step = current_step(case)
    assert step.approver_code == "62" and step.approver_office == Office.EXAM
    province_registry = world.authority_user(Jurisdiction.objects.get(code="62"))
    before = registry_snapshot()
    with pytest.raises(PermissionDenied):  # the province's registry reviewers are not the exam authority
        case_approve(acting_user=province_registry, case=case)
    assert registry_snapshot() == before
    from cases.workflow import task_states_awaiting

    assert list(task_states_awaiting(province_registry)) == []
    assert [s.pk for s in task_states_awaiting(exam)] == [step.pk]
    case = case_approve(acting_user=exam, case=case)
    assert case.state == CaseState.APPROVED
    registration.refresh_from_db()
    assert registration.status == "transferred_out"
    assert not Registration.objects.open().filter(student=registration.student).exists()


def test_article_22_exam_authority_is_provincial_and_issues_no_certificate(world):
    from cases.errors import RuleError
    from cases.models import Office
    from cases.services.certificates import certificate_issue
    from tests.factories import staff_user

    with pytest.raises(RuleError) as info:
        staff_user(Jurisdiction.objects.get(code="6201"), office=Office.EXAM)
    assert (info.value.code, info.value.article) == ("staff_exam_office", "第二十二条")
    registration = register_student(school=SchoolFactory(category="5"), stage="senior",
                                    birth_date=datetime.date(2009, 5, 1))
    with pytest.raises(RuleError) as info:
        certificate_issue(acting_user=world.exam_user(), kind="student_card", student=registration.student)
    assert info.value.code == "certificate_issuer_exam_authority"
    assert not registration.student.certificates.exists()


def test_into_province_transfer_registers_the_newcomer(world):
    school = SchoolFactory(category="1")
    person = {"name": "陈思远", "gender": "M", "birth_date": "2012-05-01",
              "id_number": __import__("cases.numbers.id_number", fromlist=["x"]).make_id_number(
                  "610102", datetime.date(2012, 5, 1), 15)}
    case, submitter = open_case(world, case_type="transfer", school=school, transfer_scope="in",
                                external_school="西安市某中学", external_province="61", reason="relocation",
                                stage="junior", evidence=EVIDENCE,
                                details={"person": person, "destination_class": SchoolClassFactory(
                                    school=school, stage="junior", cohort=2024).pk})
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert case.state == CaseState.APPROVED and case.student.name == "陈思远"
    registration = Registration.objects.open().get(student=case.student)
    assert registration.school == school and registration.auxiliary_numbers.filter(cancelled_at__isnull=True).exists()


# --- 第十条 and 第二十六条: the cohort travels with the student -----------------------------------
def test_article_10_transferred_student_keeps_the_entry_year_of_their_cohort(world, second_grader):
    """A 2024 entrant who changes school in March 2026 gets a destination number that starts with
    the cohort's year, not the year of the change, and sits in a class of that cohort."""
    destination = SchoolFactory(category="5", name="兰州市第二中学", stages=["senior"])
    origin = SchoolFactory(category="5", name="兰州市第一中学", stages=["senior"])
    entry_class = SchoolClassFactory(school=origin, stage="senior", cohort=2024)
    registration = register_student(school_class=entry_class, stage="senior", birth_date=datetime.date(2009, 3, 1),
                                     started_on=datetime.date(2024, 9, 1))
    assert registration.auxiliary_numbers.get().number.startswith("24")
    same_cohort = SchoolClassFactory(school=destination, stage="senior", cohort=2024)
    SchoolClassFactory(school=destination, stage="senior", cohort=2025)
    destination.county = Jurisdiction.objects.get(code="620502")  # another city: not 一般不予 same-area
    destination.save()
    case, submitter = within(world, registration, destination, details={"destination_class": same_cohort.pk})
    case, _ = submit_and_approve_all(world, case, submitter)
    new = Registration.objects.open().get(student=registration.student)
    assert new.school_class == same_cohort
    number = new.auxiliary_numbers.get(cancelled_at__isnull=True).number
    assert number.startswith("24") and not number.startswith("26"), number


def test_article_10_a_transfer_within_gansu_must_choose_the_destination_class(world, second_grader):
    """The case chooses the class at the destination: without it the case is not even saved."""
    from cases.models import Case

    destination = SchoolFactory(category="1")
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        within(world, second_grader, destination, details={})
    assert [(e["code"], e["article"], e["field"]) for e in rule_errors(info.value)] == [
        ("field_required", "第二十六条", "destination_class")]
    assert registry_snapshot() == before and not Case.objects.exists()


def test_article_10_a_class_of_another_school_is_not_a_destination_class(world, second_grader):
    destination = SchoolFactory(category="1")
    elsewhere = SchoolClassFactory(school=SchoolFactory(category="1"), stage="junior", cohort=2024)
    case, submitter = within(world, second_grader, destination, details={"destination_class": elsewhere.pk})
    assert "transfer_destination_class" in [e.code for e in case.case_type_class.check_eligibility(case)]


def test_article_26_across_grades_checked_even_for_a_student_without_a_class(world):
    """第二十六条 跨年级不予转学 holds whatever the origin records: a student registered without a
    class counts from their entry year."""
    origin = SchoolFactory(category="1")
    registration = register_student(school=origin, stage="junior", started_on=datetime.date(2024, 9, 1))
    destination = SchoolFactory(category="1")
    wrong = SchoolClassFactory(school=destination, stage="junior", cohort=2025)
    case, submitter = within(world, registration, destination, details={"destination_class": wrong.pk})
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    found = [(e["code"], e["article"]) for e in rule_errors(info.value)]
    assert ("transfer_across_grades", "第二十六条") in found
    assert registry_snapshot() == before


def test_article_26_across_grades_refused_again_at_the_final_approval(world, second_grader):
    """A class that changes cohort after submission (a data fix) is caught when the case is applied."""
    destination = SchoolFactory(category="1")
    target = SchoolClassFactory(school=destination, stage="junior", cohort=2024)
    case, submitter = within(world, second_grader, destination, details={"destination_class": target.pk})
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=world.school_head(second_grader.school), case=case)
    SchoolClass.objects.filter(pk=target.pk).update(cohort=2023)
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=world.approver_of_current_step(case), case=case)
    assert "transfer_across_grades" in [e["code"] for e in rule_errors(info.value)]
    assert registry_snapshot() == before


def test_article_10_into_province_transfer_lands_in_the_chosen_class(world):
    from cases.numbers.id_number import make_id_number

    school = SchoolFactory(category="1")
    person = {"name": "李远", "gender": "F", "birth_date": "2012-03-01",
              "id_number": make_id_number("610102", datetime.date(2012, 3, 1), 16)}
    cohort_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)
    other_school_class = SchoolClassFactory(school=SchoolFactory(category="1"), stage="junior", cohort=2024)
    arriving = dict(case_type="transfer", school=school, transfer_scope="in", external_school="西安市某中学",
                    external_province="61", reason="relocation", stage="junior", evidence=EVIDENCE)
    # The class is chosen when the case is saved (check early): without one nothing is written.
    with pytest.raises(ValidationError) as info:
        open_case(world, **arriving, details={"person": person})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_required", "destination_class")]
    assert not Case.objects.filter(case_type="transfer").exists()
    # A class of another school is refused at submission (and shown by the form's live check).
    case, submitter = open_case(world, **arriving, details={"person": person,
                                                            "destination_class": other_school_class.pk})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert "transfer_destination_class" in [e["code"] for e in rule_errors(info.value)]
    from cases.services.cases import case_update_draft

    case = case_update_draft(acting_user=submitter, case=case,
                             changes={"details": {"person": person, "destination_class": cohort_class.pk}})
    case, _ = submit_and_approve_all(world, case, submitter)
    registration = Registration.objects.open().get(student=case.student)
    assert registration.school_class == cohort_class
    assert registration.auxiliary_numbers.get().number  # numbered in the cohort's layout
