"""休学, 延长休学, 复学 (第二十七~三十一、三十三条)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.errors import rule_errors
from cases.models import Case, CaseState, Registration
from cases.services.cases import case_reject, case_submit, case_withdraw
from cases.services.auxiliary_numbers import auxiliary_number_cancel
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

ILLNESS = ["parent_application", "hospital_diagnosis", "medical_records", "medical_bills"]



@pytest.fixture
def pupil(db):
    school = SchoolFactory(category="0", name="城关区第三小学")
    for cohort in (2023, 2024):
        SchoolClassFactory(school=school, stage="primary", cohort=cohort, class_name="1班")
    school_class = school.classes.get(cohort=2023)  # grade 3 in 2025/26
    return register_student(school_class=school_class, stage="primary", birth_date=datetime.date(2017, 5, 1))


def suspend(world, registration, *, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 7, 10), **extra):
    fields = {"reason": "illness", "details": {"hospital_county_level": True}, "evidence": ILLNESS, **extra}
    return open_case(world, case_type="suspension", school=registration.school, student=registration.student,
                     effective_on=start, end_on=end, **fields)


def test_suspension_end_to_end(world, pupil):
    number = pupil.auxiliary_numbers.get().number
    case, submitter = suspend(world, pupil)
    case, approvers = submit_and_approve_all(world, case, submitter)
    assert [a.staff_profile.unit for a in approvers] == [pupil.school, pupil.school.county]
    pupil.refresh_from_db()
    assert pupil.status == "suspended" and pupil.is_open and pupil.suspended_until == datetime.date(2026, 7, 10)
    assert pupil.auxiliary_numbers.get(number=number).cancelled_at is not None
    assert not pupil.auxiliary_numbers.filter(cancelled_at__isnull=True).exists()
    assert pupil.events.last().status_to == "suspended"
    kinds = sorted(pupil.student.archive_entries.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["base_data"] + ["evidence"] * 4


def test_article_28_illness_needs_hospital_evidence(world, pupil):
    case, submitter = suspend(world, pupil, evidence=["parent_application", "hospital_diagnosis"])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert sorted(e["code"] for e in rule_errors(info.value)) == ["evidence_missing", "evidence_missing"]


def test_article_28_illness_needs_a_county_level_hospital(world, pupil):
    case, submitter = suspend(world, pupil, details={"hospital_county_level": False})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["suspension_hospital_level"]


def test_article_29_one_suspension_lasts_at_most_a_year(world, pupil):
    case, submitter = suspend(world, pupil, end=datetime.date(2027, 3, 3))
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["suspension_longer_than_a_year"]
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_article_29_generally_not_more_than_twice(world, pupil):
    for start, end in ((datetime.date(2024, 3, 1), datetime.date(2024, 7, 1)),
                       (datetime.date(2025, 3, 3), datetime.date(2025, 7, 1))):
        case, submitter = suspend(world, pupil, start=start, end=end)
        submit_and_approve_all(world, case, submitter)
        pupil.refresh_from_db()
        registration_change_status(acting_user=None, registration=pupil, status="active", occurred_on=end,
                                   reason="测试:复学")
        pupil.refresh_from_db()
    case, submitter = suspend(world, pupil)
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.generally) for e in errors] == [("suspension_more_than_twice", True)]


def test_extension_moves_the_end_date(world, pupil):
    case, submitter = suspend(world, pupil)
    submit_and_approve_all(world, case, submitter)
    extension, submitter = open_case(world, case_type="suspension_extension", school=pupil.school,
                                     student=pupil.student, reason="illness", end_on=datetime.date(2026, 12, 31),
                                     details={"hospital_county_level": True},
                                     evidence=["hospital_diagnosis", "medical_records", "medical_bills"])
    extension, _ = submit_and_approve_all(world, extension, submitter)
    pupil.refresh_from_db()
    assert pupil.status == "suspended" and pupil.suspended_until == datetime.date(2026, 12, 31)


def test_article_29_extension_only_during_suspension(world, pupil):
    case, submitter = open_case(world, case_type="suspension_extension", school=pupil.school, student=pupil.student,
                                reason="illness", end_on=datetime.date(2026, 12, 31),
                                details={"hospital_county_level": True},
                                evidence=["hospital_diagnosis", "medical_records", "medical_bills"])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["extension_not_suspended"]


def test_resumption_returns_to_the_grade_of_suspension_with_a_new_number(world, pupil):
    case, submitter = suspend(world, pupil, start=datetime.date(2025, 3, 3), end=datetime.date(2026, 2, 27))
    submit_and_approve_all(world, case, submitter)
    pupil.refresh_from_db()
    old_class = pupil.school_class
    resumption, submitter = open_case(world, case_type="resumption", school=pupil.school, student=pupil.student,
                                      reason="illness", effective_on=datetime.date(2026, 3, 2),
                                      evidence=["suspension_certificate", "recovery_certificate"])
    submit_and_approve_all(world, resumption, submitter)
    pupil.refresh_from_db()
    # Suspended in grade 2 (spring 2025, cohort 2023); back in grade 2 in spring 2026: cohort 2024.
    assert pupil.status == "active" and pupil.school_class.cohort == 2024 and pupil.school_class != old_class
    assert pupil.school_class.grade(datetime.date(2026, 3, 2)) == 2
    live = pupil.auxiliary_numbers.filter(cancelled_at__isnull=True)
    assert live.count() == 1 and pupil.auxiliary_numbers.count() == 2
    assert pupil.suspended_until is None


def test_article_30_illness_resumption_needs_recovery_certificate(world, pupil):
    case, submitter = suspend(world, pupil)
    submit_and_approve_all(world, case, submitter)
    resumption, submitter = open_case(world, case_type="resumption", school=pupil.school, student=pupil.student,
                                      reason="illness", evidence=["suspension_certificate"])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=resumption)
    assert [e["message"] for e in rule_errors(info.value)] == ["缺少证明材料:县级及以上医院病愈证明"]


def test_article_33_no_resumption_after_withdrawal(world):
    school = SchoolFactory(category="5")
    registration = register_student(school=school, stage="senior", birth_date=datetime.date(2009, 5, 1))
    registration_change_status(acting_user=None, registration=registration, status="withdrawn",
                               occurred_on=datetime.date(2026, 1, 5), reason="退学")
    case, submitter = open_case(world, case_type="resumption", school=school, student=registration.student,
                                reason="other", evidence=["suspension_certificate"])
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["resumption_after_withdrawal"]


def test_rejected_and_withdrawn_suspensions_leave_the_registry_unchanged(world, pupil):
    before = registry_snapshot()
    case, submitter = suspend(world, pupil)
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="材料不清晰")
    assert registry_snapshot() == before
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and registry_snapshot() == before
    assert Registration.objects.get(pk=pupil.pk).status == "active"


@pytest.mark.parametrize("case_type", ["resumption", "dropout_return"])
def test_a_student_without_a_class_comes_back_into_a_chosen_class(world, case_type):
    """Nobody comes back without class and grade: a suspended or dropped-out student whose
    registration has no class must be given one (refused at save without it); the approval
    puts the student in it."""
    school = SchoolFactory(category="0", name="城关区第五小学")
    registration = register_student(school=school, stage="primary", birth_date=datetime.date(2017, 5, 1))
    assert registration.school_class_id is None
    status, fields = (("suspended", {"reason": "other", "evidence": ["suspension_certificate"]})
                      if case_type == "resumption" else ("dropped_out", {"reason": "family"}))
    registration_change_status(acting_user=None, registration=registration, status=status,
                               occurred_on=datetime.date(2026, 1, 5), reason="测试")
    auxiliary_number_cancel(acting_user=None, registration=registration, reason="休学或辍学时注销(第九条)")
    chosen = SchoolClassFactory(school=school, stage="primary", cohort=2024, class_name="2班")
    with pytest.raises(ValidationError) as info:
        open_case(world, case_type=case_type, school=school, student=registration.student, **fields)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_required", "school_class")]
    assert not Case.objects.filter(case_type=case_type).exists()
    elsewhere = SchoolClassFactory(school=SchoolFactory(category="0"), stage="primary", cohort=2024)
    case, submitter = open_case(world, case_type=case_type, school=school, student=registration.student,
                                details={"school_class": elsewhere.pk}, **fields)
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("return_no_class", "school_class")]
    from cases.services.cases import case_update_draft

    case = case_update_draft(acting_user=submitter, case=case, changes={"details": {"school_class": chosen.pk}})
    submit_and_approve_all(world, case, submitter)
    registration.refresh_from_db()
    assert registration.status == "active" and registration.school_class == chosen
    assert registration.grade_label(datetime.date(2026, 3, 2)) == "二年级"
