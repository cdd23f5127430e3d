"""新生注册 (第八、十一、十二条) and 延期注册 (第六条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.log_actions import registry as log_registry

from cases.access import mask
from cases.case_types.registration import deferred_deadline_for
from cases.errors import rule_errors
from cases.models import (
    Case,
    CaseState,
    Jurisdiction,
    Registration,
    RegistryLogEntry,
    SchoolClass,
    school_year_of,
)
from cases.numbers.id_number import make_id_number
from cases.services.cases import (
    case_approve,
    case_override,
    case_reject,
    case_submit,
    case_withdraw,
)
from cases.workflow import current_step
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    id_number_for,
    register_student,
)

from .helpers import open_case, registry_snapshot, submit_and_approve_all

EVIDENCE = ["household_register_or_id"]
TODAY = timezone.localdate()
RECENTLY = TODAY - datetime.timedelta(days=7)  # admission a week ago: within the month
LONG_AGO = TODAY - datetime.timedelta(days=60)



def case_log(case, action):
    """Audit entries of a case (Wagtail's log of the Case model)."""
    return log_registry.get_logs_for_instance(case).filter(action=action)


def codes(errors):
    return [e.code for e in errors]


def person(name="李明", gender="M", birth=datetime.date(2019, 3, 1), with_id=True, **extra):
    data = {"name": name, "gender": gender, "birth_date": birth.isoformat(), "ethnicity": "汉族",
            "household_type": "agricultural", "native_place": "甘肃兰州"}
    if with_id:
        data["id_number"], born = id_number_for(birth, gender)
        data["birth_date"] = born.isoformat()
    return {**data, **extra}



@pytest.fixture
def school(db):
    return SchoolFactory(category="0", name="城关区第一小学")


def first_grade_class(school, effective_on=RECENTLY, stage="primary", name="1班"):
    return SchoolClass.objects.get_or_create(school=school, stage=stage, cohort=school_year_of(effective_on),
                                             class_name=name)[0]


def intake(world, school, people, effective_on=RECENTLY, **extra):
    """An intake whose pupils join one first-grade class (chosen for the whole intake)."""
    details = {"people": people, "school_class": first_grade_class(school, effective_on).pk}
    return open_case(world, case_type="registration", school=school, stage="primary", effective_on=effective_on,
                     details=details, evidence=EVIDENCE, **extra)


def test_registration_of_an_intake_issues_numbers_opens_archives_and_is_audited(world, school):
    first_class = SchoolClassFactory(school=school, stage="primary", cohort=2026, class_name="1班")
    with_id = person("李明", guardians=[{"name": "李强", "relation": "父亲", "phone": "13900000000"}],
                     school_class=first_class.pk)
    without_id = person("马丽", gender="F", with_id=False, school_class=first_class.pk)
    case, submitter = intake(world, school, [with_id, without_id])
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [Jurisdiction.objects.get(code="620102")]
    assert case.state == CaseState.APPROVED
    registrations = list(Registration.objects.filter(school=school).select_related("student").order_by("pk"))
    assert [r.student.name for r in registrations] == ["李明", "马丽"]
    li, ma = (r.student for r in registrations)
    assert li.registry_number == "G" + with_id["id_number"] and ma.registry_number.startswith("J")
    for registration in registrations:
        assert registration.status == "active" and registration.started_on == RECENTLY
        assert registration.stage == "primary" and registration.school_class == first_class
        assert registration.auxiliary_numbers.filter(cancelled_at__isnull=True).count() == 1
        assert registration.events.get().reason == f"新生注册({case.number})"
        kinds = list(registration.student.archive_entries.values_list("kind", "case"))
        assert kinds == [("base_data", None), ("evidence", case.pk)]  # opened by the service, evidence by the case
        assert RegistryLogEntry.objects.filter(action="xueji.student.register",
                                               object_id=str(registration.student_id)).exists()
    assert list(li.guardians.values_list("name", "relation")) == [("李强", "父亲")]
    assert case_log(case, "xueji.case.approve").count() == 1


def test_article_11_duplicates_are_refused_with_every_row_named(world, school):
    existing = register_student(school=SchoolFactory(category="0"), stage="primary", name="张伟",
                                birth_date=datetime.date(2019, 4, 1)).student
    without_id = register_student(school=SchoolFactory(category="0"), stage="primary", name="赵敏", gender="F",
                                  birth_date=datetime.date(2019, 6, 1), with_id=False).student
    fresh = person("王芳", gender="F")
    people = [
        fresh,
        person("张伟", id_number=existing.id_number, birth=existing.birth_date, with_id=False),  # same ID number
        person("赵敏", gender="F", birth=without_id.birth_date, with_id=False),  # same name, gender, birth date
        dict(fresh),  # the same person twice in the intake
    ]
    case, submitter = intake(world, school, people)
    before = registry_snapshot()
    errors = case.case_type_class.check_eligibility(case)
    found = [(e.code, e.field, e.article) for e in errors]
    assert found == [("duplicate_in_batch", "people[3].name", "第十一条"),
                     ("duplicate_person", "people[1].id_number", "第十一条"),
                     ("duplicate_person", "people[2].name", "第十一条")]
    messages = [e.message for e in errors]
    assert messages[0].startswith("第4行:与第1行") and messages[1].startswith("第2行:")
    # The match is another school's pupil: named, with its G number masked (it is the ID number).
    assert mask("registry_number", existing.registry_number) in messages[1]
    assert existing.registry_number not in messages[1] and messages[2].startswith("第3行:")
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=submitter, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["duplicate_in_batch", "duplicate_person",
                                                            "duplicate_person"]
    assert registry_snapshot() == before


def test_article_11_false_data_invalid_id_numbers_are_refused_per_row_without_writing(world, school):
    good = person("王芳", gender="F")
    bad_check = person("刘洋", id_number=good["id_number"][:17] + ("0" if good["id_number"][17] != "0" else "1"),
                       with_id=False)
    wrong_birth = person("陈晨", with_id=False, birth=datetime.date(2019, 1, 1),
                         id_number=make_id_number("620102", datetime.date(2019, 1, 2), 11))
    wrong_gender = person("周杰", with_id=False, birth=datetime.date(2019, 1, 3),
                          id_number=make_id_number("620102", datetime.date(2019, 1, 3), 12))
    bad_date = person("吴迪", with_id=False, birth_date="2019-02-30")
    before = registry_snapshot()
    # What is wrong in a row by itself (a check digit, an impossible date) is refused as entered…
    with pytest.raises(ValidationError) as info:
        intake(world, school, [good, bad_check, wrong_birth, wrong_gender, bad_date])
    assert [(e["code"], e["field"], e["article"], e["message"][:4]) for e in rule_errors(info.value)] == [
        ("id_checksum", "people[1].id_number", "第十五条", "第2行:"),
        ("field_invalid", "people[4].birth_date", "第十五条", "第5行:"),
    ]
    assert registry_snapshot() == before and not Case.objects.exists()
    # …and what disagrees with the ID number is reported on the saved case, row by row.
    case, submitter = intake(world, school, [good, wrong_birth, wrong_gender])
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.field, e.article) for e in errors] == [
        ("id_birth_date_mismatch", "people[1].id_number", "第十五条"),
        ("id_gender_mismatch", "people[2].id_number", "第十五条"),
    ]
    assert [e.message[:4] for e in errors] == ["第2行:", "第3行:"]
    with pytest.raises(ValidationError):
        case_submit(acting_user=submitter, case=case)
    assert registry_snapshot() == before


def test_article_8_a_class_must_be_of_the_school_and_stage(world, school):
    other = SchoolClassFactory(school=SchoolFactory(category="0"), stage="primary", cohort=2026)
    junior = SchoolClassFactory(school=school, stage="junior", cohort=2026)
    for wrong in (other, junior):
        with pytest.raises(ValidationError) as info:  # refused when saved, nothing written
            intake(world, school, [person(school_class=wrong.pk)])
        assert [(e["code"], e["field"], e["article"]) for e in rule_errors(info.value)] == [
            ("class_mismatch", "people[0].school_class", "第八条")]
    with pytest.raises(ValidationError) as info:
        open_case(world, case_type="registration", school=school, stage="primary", effective_on=RECENTLY,
                  details={"people": [person()], "school_class": other.pk})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("class_mismatch", "school_class")]
    assert not Case.objects.filter(case_type="registration").exists()


def test_article_8_every_pupil_has_a_class_checked_at_save_submit_and_final_approval(world, school):
    """Nobody leaves an approved intake without class and grade: a row without a class, with no
    class chosen for the whole intake, is refused when saved (a draft too), when submitted and at
    the final approval; the class of the intake covers the rows that leave theirs empty."""
    from cases.services.cases import case_create, case_update_draft

    registrar = world.school_user(school)
    one, two = first_grade_class(school), first_grade_class(school, name="2班")
    rows = [person("李明"), person("马丽", gender="F", school_class=two.pk)]
    with pytest.raises(ValidationError) as info:
        case_create(acting_user=registrar, case_type="registration", school=school, stage="primary",
                    effective_on=RECENTLY, details={"people": rows})
    (error,) = rule_errors(info.value)
    assert (error["code"], error["field"], error["article"]) == (
        "registration_class_required", "people[0].school_class", "第八条")
    assert error["message"].startswith("第1行:请选择编入班级")
    assert not Case.objects.exists()

    case, submitter = intake(world, school, rows)  # 1班 for the whole intake, 马丽 in 2班
    with pytest.raises(ValidationError):  # taking the intake's class away is refused too
        case_update_draft(acting_user=registrar, case=case, changes={"details": {"people": rows}})
    case = case_submit(acting_user=submitter, case=case)
    # A case that reached review without classes (saved before this rule) is refused at the last
    # approval, and the registry is untouched.
    Case.objects.filter(pk=case.pk).update(details={"people": rows})
    case.refresh_from_db()
    authority = world.approver_of_current_step(case)
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=authority, case=case)
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [
        ("registration_class_required", "people[0].school_class")]
    assert registry_snapshot() == before
    Case.objects.filter(pk=case.pk).update(details={"people": rows, "school_class": one.pk})
    case.refresh_from_db()
    case = case_approve(acting_user=authority, case=case)
    assert case.state == CaseState.APPROVED
    placed = dict(Registration.objects.filter(school=school).values_list("student__name", "school_class"))
    assert placed == {"李明": one.pk, "马丽": two.pk}
    assert {r.grade_label() for r in Registration.objects.filter(school=school)} == {"一年级"}


def test_article_3_the_school_must_offer_the_stage(world, school):
    with pytest.raises(ValidationError) as info:  # checked when saved
        open_case(world, case_type="registration", school=school, stage="junior", effective_on=RECENTLY,
                  details={"people": [person(birth=RECENTLY.replace(year=RECENTLY.year - 13))]}, evidence=EVIDENCE)
    assert [e["code"] for e in rule_errors(info.value)] == ["registration_school_stage"]


def test_article_12_registration_after_one_month_generally_refused_unless_overridden(world, school):
    case, submitter = intake(world, school, [person()], effective_on=LONG_AGO)
    (late,) = case.case_type_class.check_eligibility(case)
    assert (late.code, late.article, late.generally) == ("registration_after_one_month", "第十二条", True)
    case = case_submit(acting_user=submitter, case=case)  # a "generally" rule does not block submission
    authority = world.approver_of_current_step(case)
    before = registry_snapshot()
    with pytest.raises(ValidationError) as info:
        case_approve(acting_user=authority, case=case)
    assert [e["code"] for e in rule_errors(info.value)] == ["registration_after_one_month"]
    assert registry_snapshot() == before
    case = case_override(acting_user=authority, case=case, rule_code="registration_after_one_month",
                         reason="新生因病住院,入学后补办")
    case = case_approve(acting_user=authority, case=case)
    assert case.state == CaseState.APPROVED
    assert Registration.objects.get(school=school).started_on == LONG_AGO


def test_article_12_one_month_is_a_calendar_month(world, school):
    from cases.case_types.registration import one_month_after

    assert one_month_after(datetime.date(2026, 9, 1)) == datetime.date(2026, 10, 1)
    assert one_month_after(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert one_month_after(datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)
    on_the_day, _ = intake(world, school, [person()], effective_on=TODAY - datetime.timedelta(days=28))
    assert on_the_day.case_type_class.check_eligibility(on_the_day) == []


def test_article_6_a_deferred_deadline_restarts_the_month_for_that_person_only(world, school):
    deferred, punctual = person("孙悦", gender="F"), person("钱坤")
    deferral, submitter = open_case(world, case_type="deferred_registration", school=school, stage="primary",
                                    effective_on=LONG_AGO, evidence=["deferral_proof"],
                                    details={"name": "孙悦", "id_number": deferred["id_number"],
                                             "new_deadline": (TODAY - datetime.timedelta(days=10)).isoformat()})
    submit_and_approve_all(world, deferral, submitter)
    case, _ = intake(world, school, [deferred], effective_on=LONG_AGO)
    assert case.case_type_class.check_eligibility(case) == []
    case, _ = intake(world, school, [deferred, punctual], effective_on=LONG_AGO)
    (late,) = case.case_type_class.check_eligibility(case)
    assert late.code == "registration_after_one_month" and late.message.endswith("逾期:第2行")


def test_rejected_or_withdrawn_registration_leaves_the_registry_unchanged(world, school):
    before = registry_snapshot()
    case, submitter = intake(world, school, [person(), person("马丽", gender="F")])
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="户口簿复印件不清晰")
    assert case.state == CaseState.RETURNED and current_step(case) is None
    assert registry_snapshot() == before
    case = case_submit(acting_user=submitter, case=case)
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN
    assert registry_snapshot() == before


def test_registration_needs_people_and_well_formed_guardians(world, school):
    from cases.services.cases import case_create

    # A draft may wait for its list (the Excel intake fills it); it cannot be submitted empty.
    draft = case_create(acting_user=world.school_user(school), case_type="registration", school=school,
                        stage="primary", effective_on=RECENTLY, details={"people": []})
    with pytest.raises(ValidationError) as info:
        case_submit(acting_user=world.school_user(school), case=draft)
    assert "registration_people" in [e["code"] for e in rule_errors(info.value)]
    with pytest.raises(ValidationError) as info:
        case_create(acting_user=world.school_user(school), case_type="registration", school=school, stage="primary",
                    effective_on=RECENTLY, details={"people": [person(guardians=[{"name": "李强"}])],
                                                    "school_class": first_grade_class(school).pk})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [
        ("field_required", "people[0].guardians[0].relation")]
    assert rule_errors(info.value)[0]["message"] == "第1行:监护人1:请填写与学生关系"


# --- 延期注册 ------------------------------------------------------------------------------------
def deferral(world, school, *, id_number, new_deadline=datetime.date(2026, 10, 8), **extra):
    return open_case(world, case_type="deferred_registration", school=school, stage="primary",
                     effective_on=datetime.date(2026, 9, 1), evidence=["deferral_proof"],
                     details={"name": "孙悦", "id_number": id_number, "new_deadline": new_deadline.isoformat()},
                     **extra)


def test_deferred_registration_approved_by_the_school_is_the_record_of_the_new_deadline(world, school):
    id_number = make_id_number("620102", datetime.date(2020, 2, 2), 22).lower()  # typed with a lower-case x or not
    case, submitter = deferral(world, school, id_number=id_number)
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    assert deferred_deadline_for(id_number) is None  # not before the decision
    approver = world.approver_of_current_step(case)
    assert approver.staff_profile.unit == school  # 第六条: the school handles it
    case = case_approve(acting_user=approver, case=case)

    assert case.state == CaseState.APPROVED and current_step(case) is None
    assert deferred_deadline_for(id_number) == datetime.date(2026, 10, 8)
    assert deferred_deadline_for(id_number.upper(), school=school) == datetime.date(2026, 10, 8)
    assert deferred_deadline_for(id_number, school=SchoolFactory(category="0")) is None
    # No student exists yet: the registry is untouched; the approved case and its audit entry are the effect.
    assert registry_snapshot() == before
    assert case_log(case, "xueji.case.approve").get().user == approver


def test_article_6_the_new_deadline_must_be_later_and_the_child_identified(world, school):
    from cases.services.cases import case_create

    with pytest.raises(ValidationError) as info:
        case_create(acting_user=world.school_user(school), case_type="deferred_registration", school=school,
                    stage="primary", effective_on=datetime.date(2026, 9, 1),
                    details={"name": "", "id_number": "620102", "new_deadline": "2026-08-31"})
    assert [(e["code"], e["field"]) for e in rule_errors(info.value)] == [("id_length", "id_number")]
    with pytest.raises(ValidationError) as info:
        case_create(acting_user=world.school_user(school), case_type="deferred_registration", school=school,
                    stage="primary", effective_on=datetime.date(2026, 9, 1),
                    details={"name": "", "id_number": make_id_number("620102", datetime.date(2020, 2, 2), 22),
                             "new_deadline": "2026-08-31"})
    assert [e["code"] for e in rule_errors(info.value)] == ["deferred_name", "deferred_deadline_not_later"]
    with pytest.raises(ValidationError) as info:
        case_create(acting_user=world.school_user(school), case_type="deferred_registration", school=school,
                    stage="primary", effective_on=datetime.date(2026, 9, 1),
                    details={"name": "孙悦", "id_number": make_id_number("620102", datetime.date(2020, 2, 2), 22)})
    assert [e["code"] for e in rule_errors(info.value)] == ["deferred_new_deadline"]


def test_article_6_no_deferral_for_a_child_already_registered(world, school):
    registered = register_student(school=school, stage="primary", birth_date=datetime.date(2019, 5, 1))
    case, submitter = deferral(world, school, id_number=registered.student.id_number)
    assert [(e.code, e.article) for e in case.case_type_class.check_eligibility(case)] == [
        ("deferred_already_registered", "第六条")]
    with pytest.raises(ValidationError):
        case_submit(acting_user=submitter, case=case)


def test_rejected_or_withdrawn_deferral_grants_nothing(world, school):
    id_number = make_id_number("620102", datetime.date(2020, 3, 3), 31)
    case, submitter = deferral(world, school, id_number=id_number)
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="请补充医院证明")
    assert deferred_deadline_for(id_number) is None
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and deferred_deadline_for(id_number) is None
    assert not Case.objects.filter(case_type="deferred_registration", state=CaseState.APPROVED).exists()


def test_articles_11_12_an_intake_row_whose_age_does_not_fit_the_stage_is_refused(world, school):
    """第十一、十二条 (年满六周岁, 第五条): a five-year-old and a twelve-year-old do not enter the
    first year of primary school; a late entry with its reason does, and the reason is kept."""
    today = RECENTLY
    rows = [person("甲", birth=today.replace(year=today.year - 5)),
            person("乙", birth=today.replace(year=today.year - 12)),
            person("丙", birth=today.replace(year=today.year - 12), age_exception="因病延缓入学,有县教育局批复")]
    case, submitter = intake(world, school, rows)
    errors = case.case_type_class.check_eligibility(case)
    assert [(e.code, e.article, e.field) for e in errors] == [
        ("registration_age_out_of_band", "第十一条", "people[0].birth_date"),
        ("registration_age_out_of_band", "第十一条", "people[1].birth_date")]
    assert errors[0].message.startswith("第1行") and "6~8周岁" in errors[0].message
    before = registry_snapshot()
    with pytest.raises(ValidationError):
        case_submit(acting_user=submitter, case=case)
    assert registry_snapshot() == before

    case, submitter = intake(world, school, [rows[2]])
    case, _ = submit_and_approve_all(world, case, submitter)
    registration = Registration.objects.get(student__name="丙")
    assert "因病延缓入学" in registration.events.get().reason


def test_the_case_document_shows_every_pupils_class_and_no_empty_column(world, school):
    """The case page and PDF list each pupil with a class (the row's own, else the intake's) and
    leave out the columns nobody filled in."""
    two = first_grade_class(school, name="2班")
    case, _ = intake(world, school, [person("李明"), person("马丽", gender="F", school_class=two.pk)])
    (people,) = [item for item in case.case_type_class.display(case) if item["key"] == "people"]
    classes = [row[people["columns"].index("编入班级")] for row in people["rows"]]
    assert classes == [str(first_grade_class(school)), str(two)]
    assert "户籍地址" not in people["columns"] and "姓名" in people["columns"]


def test_the_excel_intake_is_offered_only_while_the_list_can_change(world, school, client):
    """The case page links to the Excel intake on a draft, a returned and a withdrawn intake (for
    its submitter), never on a submitted or decided one, nor to the authority reading it."""
    from django.urls import reverse

    case, submitter = intake(world, school, [person(), person("马丽", gender="F")])
    page = reverse("wagtailsnippets_cases_case:edit", args=[case.pk])
    link = 'data-testid="intake-link"'

    def offered(user):
        client.force_login(user)
        return link in client.get(page).content.decode()

    assert offered(submitter)
    case = case_submit(acting_user=submitter, case=case)
    assert not offered(submitter)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="户口簿复印件不清晰")
    assert offered(submitter)
    case = case_submit(acting_user=submitter, case=case)
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    assert not offered(county)
    case = case_withdraw(acting_user=submitter, case=case)
    assert offered(submitter) and not offered(county)
    case = case_submit(acting_user=submitter, case=case)
    while current_step(case) is not None:
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case, comment="同意")
    assert case.state == CaseState.APPROVED and not offered(submitter)
