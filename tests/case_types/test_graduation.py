"""毕业/结业 (第三十四条), 结业换发毕业证书 and 毕业证明书 (第三十五条), end to end through the
services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.log_actions import registry as log_registry

from cases.errors import rule_errors
from cases.models import (
    AuxiliaryNumber,
    CaseState,
    Jurisdiction,
    Registration,
    RegistrationEvent,
    RegistryLogEntry,
)
from cases.services.cases import case_approve, case_reject, case_submit, case_withdraw
from cases.services.registrations import registration_change_status
from cases.workflow import current_step
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

GRADUATION_DAY = datetime.date(2026, 6, 30)  # school year 2025: the cohort of 2023 is in its third year
BIRTH = datetime.date(2008, 5, 1)



def codes(case):
    return [e.code for e in case.case_type_class.check_eligibility(case)]


def case_log(case, action):
    return log_registry.get_logs_for_instance(case).filter(action=action)



@pytest.fixture
def senior_school(db):
    return SchoolFactory(category="5", name="兰州市第十中学")


@pytest.fixture
def final_class(senior_school):
    return SchoolClassFactory(school=senior_school, stage="senior", cohort=2023)


def senior(school_class, name="赵磊", **extra):
    return register_student(school_class=school_class, stage="senior", name=name, birth_date=BIRTH,
                            started_on=datetime.date(2023, 9, 1), **extra)


def roll(world, school, *, graduates=(), completers=(), stage="senior", effective_on=GRADUATION_DAY):
    return open_case(world, case_type="graduation", school=school, stage=stage, effective_on=effective_on,
                     details={"graduates": [r.pk for r in graduates], "completers": [r.pk for r in completers]},
                     evidence=["graduate_roll"])


def complete(registration, on=GRADUATION_DAY):
    return registration_change_status(acting_user=None, registration=registration, status="completed",
                                      occurred_on=on, reason="结业")


# --- 毕业/结业 --------------------------------------------------------------------------------------
def test_graduation_roll_graduates_and_completes_closes_numbers_and_files_the_archive(world, senior_school,
                                                                                       final_class):
    first, second = senior(final_class, "赵磊"), senior(final_class, "钱多")
    completer = senior(final_class, "孙莉", gender="F")
    numbers = {r.pk: r.auxiliary_numbers.get().number for r in (first, second, completer)}
    case, submitter = roll(world, senior_school, graduates=[first, second], completers=[completer])
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [Jurisdiction.objects.get(code="6201")]  # senior: the city
    assert case.state == CaseState.APPROVED
    for registration, status, title in ((first, "graduated", "毕业"), (second, "graduated", "毕业"),
                                        (completer, "completed", "结业")):
        registration.refresh_from_db()
        assert registration.status == status and registration.ended_on == GRADUATION_DAY
        assert not registration.is_open
        event = registration.events.order_by("-id").first()
        assert (event.status_from, event.status_to) == ("active", status) and case.number in event.reason
        number = AuxiliaryNumber.objects.get(number=numbers[registration.pk])
        assert number.cancelled_at is not None and "使用至本学段结束" in number.cancelled_reason
        entries = list(registration.student.archive_entries.filter(case=case).values_list("kind", "title"))
        assert entries[0] == ("base_data", f"{title}:兰州市第十中学普通高中")
        assert [kind for kind, _ in entries[1:]] == ["evidence"]
        assert RegistryLogEntry.objects.filter(action="xueji.registration.status", object_id=str(registration.pk),
                                               data__to=status).exists()
        assert RegistryLogEntry.objects.filter(action="xueji.auxiliary.cancel",
                                               data__number=numbers[registration.pk]).exists()
    assert case_log(case, "xueji.case.approve").count() == 1


def test_article_34_every_listed_registration_belongs_to_the_school(world, senior_school, final_class):
    elsewhere = senior(SchoolClassFactory(school=SchoolFactory(category="5"), stage="senior", cohort=2023))
    ours = senior(final_class)
    case, submitter = open_case(world, case_type="graduation", school=senior_school, stage="senior",
                                effective_on=GRADUATION_DAY, evidence=["graduate_roll"],
                                details={"graduates": [ours.pk, elsewhere.pk]})
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.article) for e in errors] == [("graduation_not_at_school", "第三十四条")]
    assert str(elsewhere.pk) in errors[0].message
    with pytest.raises(ValidationError) as info:  # a registration that does not exist: refused as entered
        open_case(world, case_type="graduation", school=senior_school, stage="senior", effective_on=GRADUATION_DAY,
                  details={"graduates": [ours.pk, 999999]})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("field_object_missing", "graduates")]
    with pytest.raises(ValidationError):
        case_submit(acting_user=submitter, case=case)


def test_article_34_only_active_registrations_graduate(world, senior_school, final_class):
    suspended = senior(final_class, "周游")
    registration_change_status(acting_user=None, registration=suspended, status="suspended",
                               occurred_on=datetime.date(2026, 3, 1), reason="休学")
    graduated = senior(final_class, "吴用")
    registration_change_status(acting_user=None, registration=graduated, status="graduated",
                               occurred_on=datetime.date(2026, 1, 1), reason="毕业")
    case, _ = roll(world, senior_school, graduates=[suspended, graduated, senior(final_class, "郑和")])
    errors = case.case_type_class.check_eligibility(case)
    assert [e.code for e in errors] == ["graduation_not_active", "graduation_not_active"]
    assert "周游" in errors[0].message and "休学" in errors[0].message and "吴用" in errors[1].message


def test_article_34_only_students_in_their_final_grade_graduate(world, senior_school, final_class):
    second_year = senior(SchoolClassFactory(school=senior_school, stage="senior", cohort=2024), "冯二")
    no_class = register_student(school=senior_school, stage="senior", name="陈无班", birth_date=BIRTH)
    case, _ = roll(world, senior_school, graduates=[senior(final_class), second_year, no_class])
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.article, e.generally) for e in errors] == [
        ("graduation_course_not_finished", "第三十四条", True), ("graduation_not_final_grade", "第三十四条", False)]
    assert "冯二" in errors[0].message and "高二" in errors[0].message and "未编入班级" in errors[1].message


def test_article_34_a_roll_dated_before_the_last_term_of_the_final_grade_is_refused(world, senior_school,
                                                                                      final_class):
    """修业期满: the cohort of 2023 finishes in the spring term of 2026; a roll dated in the autumn
    term of its final year is refused at the final approval, and nothing is written."""
    graduate = senior(final_class)
    case, submitter = roll(world, senior_school, graduates=[graduate], effective_on=datetime.date(2026, 1, 20))
    assert [(e.code, e.article) for e in case.case_type_class.check_eligibility(case)] == [
        ("graduation_course_not_finished", "第三十四条")]
    case = case_submit(acting_user=submitter, case=case)  # 一般不予: warns at submission
    authority = world.approver_of_current_step(case)
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=authority, case=case)
    assert [(e["code"], e["article"]) for e in rule_errors(info.value)] == [
        ("graduation_course_not_finished", "第三十四条")]
    assert "2026年2月1日" in rule_errors(info.value)[0]["message"]
    assert registry_snapshot() == before
    graduate.refresh_from_db()
    assert graduate.status == "active"


def test_article_34_the_authority_may_override_an_early_roll_with_a_reason(world, senior_school, final_class):
    from django.core.exceptions import PermissionDenied

    from cases.services.cases import case_override

    graduate = senior(final_class)
    case, submitter = roll(world, senior_school, graduates=[graduate], effective_on=datetime.date(2026, 1, 20))
    case = case_submit(acting_user=submitter, case=case)
    with pytest.raises(PermissionDenied):  # the school cannot override its own roll
        case_override(acting_user=submitter, case=case, rule_code="graduation_course_not_finished", reason="提前")
    authority = world.approver_of_current_step(case)
    with pytest.raises(ValidationError):  # the reason is required
        case_override(acting_user=authority, case=case, rule_code="graduation_course_not_finished", reason=" ")
    case = case_override(acting_user=authority, case=case, rule_code="graduation_course_not_finished",
                         reason="应征入伍,提前完成全部课程与学业水平考试")
    case = case_approve(acting_user=authority, case=case)
    assert case.state == CaseState.APPROVED
    graduate.refresh_from_db()
    assert graduate.status == "graduated" and graduate.ended_on == datetime.date(2026, 1, 20)
    assert case.overrides[0]["article"] == "第三十四条"


def test_article_34_the_diploma_reads_the_real_period_of_study(world, senior_school, final_class):
    """A student who began the stage at another school in September 2023 and graduates here in June
    2026: the diploma says 2023年9月至2026年6月, not the date of the transfer."""
    from cases.certificate_context import context_for
    from cases.services.certificates import certificate_issue

    origin = SchoolFactory(category="5", name="兰州市第一中学")
    started = senior(SchoolClassFactory(school=origin, stage="senior", cohort=2023), "周转")
    registration_change_status(acting_user=None, registration=started, status="transferred_out",
                               occurred_on=datetime.date(2024, 9, 1), reason="转学")
    from cases.services.registrations import registration_open

    here = registration_open(acting_user=None, student=started.student, school=senior_school, stage="senior",
                             school_class=final_class, started_on=datetime.date(2024, 9, 1), reason="转入")
    case, submitter = roll(world, senior_school, graduates=[here])
    submit_and_approve_all(world, case, submitter)
    diploma = certificate_issue(acting_user=None, kind="diploma", student=started.student)
    context = context_for(diploma)
    assert (context["period_from"], context["period_to"]) == ("2023年9月", "2026年6月")


def test_article_34_a_roll_is_of_one_stage(world):
    school = SchoolFactory(category="4")  # complete secondary: junior and senior
    junior = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2023),
                              stage="junior", birth_date=datetime.date(2011, 5, 1))
    case, _ = roll(world, school, graduates=[senior(SchoolClassFactory(school=school, stage="senior", cohort=2023)),
                                             junior])
    assert codes(case) == ["graduation_wrong_stage"]


def test_article_35_completion_only_in_general_high_school(world):
    school = SchoolFactory(category="1")
    junior_class = SchoolClassFactory(school=school, stage="junior", cohort=2023)
    student = register_student(school_class=junior_class, stage="junior", birth_date=datetime.date(2011, 5, 1))
    case, _ = roll(world, school, completers=[student], stage="junior")
    assert [(e.code, e.article) for e in case.case_type_class.check_eligibility(case)] == [
        ("completion_senior_only", "第三十五条")]
    graduates, _ = roll(world, school, graduates=[student], stage="junior")
    assert codes(graduates) == []  # compulsory graduates are fine: they get the completion certificate


def test_a_roll_lists_each_student_once_and_is_not_empty(world, senior_school, final_class):
    student = senior(final_class)
    with pytest.raises(ValidationError) as info:
        roll(world, senior_school, graduates=[student], completers=[student])
    assert [e["code"] for e in rule_errors(info.value)] == ["graduation_listed_twice"]
    with pytest.raises(ValidationError) as info:
        roll(world, senior_school)
    assert [e["code"] for e in rule_errors(info.value)] == ["graduation_roll_empty"]


def test_rejected_or_withdrawn_roll_leaves_the_registry_unchanged(world, senior_school, final_class):
    student = senior(final_class)
    case, submitter = roll(world, senior_school, graduates=[student])
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="名册缺少签章")
    assert case.state == CaseState.RETURNED and registry_snapshot() == before
    case = case_submit(acting_user=submitter, case=case)
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and current_step(case) is None
    assert registry_snapshot() == before
    student.refresh_from_db()
    assert student.status == "active"


# --- 结业换发毕业证书 ---------------------------------------------------------------------------------
def exchange(world, registration, effective_on=datetime.date(2027, 1, 15)):
    return open_case(world, case_type="completion_exchange", school=registration.school,
                     student=registration.student, effective_on=effective_on,
                     evidence=["proficiency_exam_results", "completion_certificate"])


def test_completion_exchange_after_make_up_exams_school_then_city(world, senior_school, final_class):
    completer = senior(final_class, "孙莉", gender="F")
    graduation, submitter = roll(world, senior_school, completers=[completer])
    submit_and_approve_all(world, graduation, submitter)
    completer.refresh_from_db()
    case, submitter = exchange(world, completer)
    assert case.registration == completer  # the closed registration at the school is the case's
    events_before = list(completer.events.values())
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [senior_school, Jurisdiction.objects.get(code="6201")]
    assert case.state == CaseState.APPROVED
    entry = completer.student.archive_entries.get(case=case, kind="base_data")
    assert entry.title == "结业换发毕业证书" and "2026年6月30日结业" in entry.body
    assert completer.student.archive_entries.filter(case=case, kind="evidence").count() == 2
    # The registration stays closed but now reads 毕业, with the exchange in its history.
    completer.refresh_from_db()
    assert completer.status == "graduated" and not completer.is_open
    new_events = [e for e in completer.events.values() if e not in events_before]
    assert [(e["status_from"], e["status_to"]) for e in new_events] == [("completed", "graduated")]
    assert case_log(case, "xueji.case.approve").count() == 1


def test_article_35_completion_exchange_only_within_one_year(world, senior_school, final_class):
    completer = senior(final_class)
    complete(completer)
    on_the_last_day, _ = exchange(world, completer, effective_on=datetime.date(2027, 6, 30))
    assert codes(on_the_last_day) == []
    late, submitter = exchange(world, completer, effective_on=datetime.date(2027, 7, 1))
    (error,) = late.case_type_class.check_eligibility(late)
    assert (error.code, error.article, error.generally) == ("completion_exchange_after_one_year", "第三十五条", False)
    assert "合格证书" in error.message
    with pytest.raises(ValidationError):  # not a "generally" rule: submission itself is refused
        case_submit(acting_user=submitter, case=late)


def test_article_35_completion_exchange_only_for_completers(world, senior_school, final_class):
    active = senior(final_class)
    case, _ = exchange(world, active)
    assert codes(case) == ["completion_exchange_not_completed"]


def test_article_35_completion_exchange_only_in_general_high_school(world):
    school = SchoolFactory(category="1")
    junior = register_student(school=school, stage="junior", birth_date=datetime.date(2011, 5, 1))
    complete(junior)
    case, _ = exchange(world, junior)
    assert codes(case) == ["completion_exchange_senior_only"]


def test_article_35_completion_exchange_only_once(world, senior_school, final_class):
    completer = senior(final_class)
    complete(completer)
    first, submitter = exchange(world, completer)
    submit_and_approve_all(world, first, submitter)
    again, _ = exchange(world, completer, effective_on=datetime.date(2027, 2, 1))
    assert codes(again) == ["completion_exchange_done"]


def test_rejected_or_withdrawn_exchange_leaves_the_registry_unchanged(world, senior_school, final_class):
    completer = senior(final_class)
    complete(completer)
    case, submitter = exchange(world, completer)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_head(senior_school), case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="成绩证明未盖章")
    assert registry_snapshot() == before
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and registry_snapshot() == before


# --- 毕业证明书 ------------------------------------------------------------------------------------
def attestation(world, registration):
    return open_case(world, case_type="graduation_attestation", school=registration.school,
                     student=registration.student, effective_on=datetime.date(2030, 4, 1),
                     evidence=["attestation_application"])


def test_graduation_attestation_is_approved_by_the_province(world, senior_school, final_class):
    graduate = senior(final_class)
    graduation, submitter = roll(world, senior_school, graduates=[graduate])
    submit_and_approve_all(world, graduation, submitter)
    case, submitter = attestation(world, graduate)
    before = (list(Registration.objects.values()), list(RegistrationEvent.objects.values()))
    case, approvers = submit_and_approve_all(world, case, submitter)

    # The registration's own authority is the city (6201); the attestation goes to the province.
    assert [a.staff_profile.unit for a in approvers] == [Jurisdiction.objects.get(code="62")]
    assert case.state == CaseState.APPROVED
    entry = graduate.student.archive_entries.get(case=case, kind="base_data")
    assert entry.title == "办理《普通高中毕业证明书》" and "不再补发" in entry.body
    assert graduate.student.archive_entries.filter(case=case, kind="evidence").count() == 1
    assert (list(Registration.objects.values()), list(RegistrationEvent.objects.values())) == before
    assert case_log(case, "xueji.case.approve").get().user == approvers[0]


def test_article_35_attestation_only_for_graduates(world, senior_school, final_class):
    active = senior(final_class, "甲")
    assert codes(attestation(world, active)[0]) == ["attestation_not_graduated"]
    completer = senior(final_class, "乙")
    complete(completer)
    case, _ = attestation(world, completer)
    assert [(e.code, e.article) for e in case.case_type_class.check_eligibility(case)] == [
        ("attestation_not_graduated", "第三十五条")]
    # A completer who exchanged the completion certificate for a diploma is a graduate.
    exchanged, submitter = exchange(world, completer)
    submit_and_approve_all(world, exchanged, submitter)
    case.registration.refresh_from_db()
    assert case.registration.status == "graduated" and codes(case) == []


def test_article_3_attestation_only_for_general_high_school(world):
    school = SchoolFactory(category="1")
    junior = register_student(school=school, stage="junior", birth_date=datetime.date(2011, 5, 1))
    registration_change_status(acting_user=None, registration=junior, status="graduated",
                               occurred_on=datetime.date(2026, 6, 30), reason="毕业")
    case, _ = attestation(world, junior)
    assert codes(case) == ["attestation_senior_only"]


def test_rejected_or_withdrawn_attestation_leaves_the_registry_unchanged(world, senior_school, final_class):
    graduate = senior(final_class)
    registration_change_status(acting_user=None, registration=graduate, status="graduated",
                               occurred_on=GRADUATION_DAY, reason="毕业")
    case, submitter = attestation(world, graduate)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="请说明遗失情况")
    assert registry_snapshot() == before
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and registry_snapshot() == before
