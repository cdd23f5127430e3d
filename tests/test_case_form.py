"""The admin's case form and case page, from the declaration: the form's fields, pickers scoped
through cases/access.py, checks shown on save, 同意/退回/撤回/特批 through their dialogs' views."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.admin.case_fields import PickerWidget, RowsWidget
from cases.admin.widgets import ChineseDateInput
from cases.admin.cases import CaseForm
from cases.case_types import CASE_TYPES
from cases.models import Case, CaseState, Jurisdiction, Role
from cases.services.cases import case_approve, case_submit
from cases.workflow import current_step
from tests.case_types.helpers import World, open_case
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user


def url(name, *args):
    return reverse(f"wagtailsnippets_cases_case:{name}", args=args)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def pupil(db):
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    return register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                            stage="junior", name="王小明")


@pytest.mark.parametrize("code", sorted(CASE_TYPES))
def test_the_form_of_each_type_is_its_declaration(code, pupil, world):
    user = world.school_user(pupil.school)
    form = CaseForm(instance=Case(case_type=code, school=pupil.school), for_user=user)
    declared = CASE_TYPES[code].all_fields()
    assert [k for k in form.fields if k != "case_type"] == [item.key for item in declared]
    for item in declared:
        field = form.fields[item.key]
        assert field.label == item.label
        if item.kind == "date":
            assert isinstance(field.widget, ChineseDateInput)  # the picker, in the admin's one date form
        elif item.kind in ("student", "school", "school_class", "registrations"):
            assert isinstance(field.widget, PickerWidget)  # searchable, never a typed id
        elif item.kind == "rows":
            assert isinstance(field.widget, RowsWidget)
        elif item.kind == "choice":
            assert [label for _, label in field.choices][1:] == [str(label) for _, label in item.choices]


def test_dates_show_and_are_typed_in_one_form_in_fields_and_rows(client, pupil, world):
    """2026年3月2日 in the date fields and in the rows of an intake (no browser's mm/dd/yyyy), with
    the admin's picker; typed in that form, they are accepted."""
    school = pupil.school
    intake_class = SchoolClassFactory(school=school, stage="junior", cohort=2025, class_name="新生班")
    client.force_login(world.school_user(school))
    born = datetime.date(2013, 4, 3)
    from cases.numbers.id_number import make_id_number

    response = client.post(url("add"), {
        "case_type": "registration", "stage": "junior", "effective_on": "2025年9月1日", "school_class": intake_class.pk,
        "people-0-name": "杜一鸣", "people-0-gender": "M", "people-0-birth_date": "2013年4月3日",
        "people-0-id_number": make_id_number("620102", born, 11)})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(case_type="registration")
    assert case.effective_on == datetime.date(2025, 9, 1) and case.details["people"][0]["birth_date"] == "2013-04-03"
    page = client.get(url("edit", case.pk)).content.decode()
    assert 'name="effective_on" value="2025年9月1日"' in page
    assert re.search(r'name="people-0-birth_date" id="people-0-birth_date" value="2013年4月3日"[^>]*data-xj-date', page)
    assert 'type="date"' not in page


def test_create_page_asks_the_type_then_lists_evidence_before_upload(client, pupil, world):
    client.force_login(world.school_user(pupil.school))
    choice = client.get(url("add")).content.decode()
    assert "请选择要办理的学籍变动类型" in choice and "休学" in choice
    page = client.get(url("add") + "?type=suspension").content.decode()
    assert "家长书面申请" in page and "县级及以上医院诊断证明" in page and "因病需停课治疗休养" in page
    assert 'name="hospital_county_level"' in page and "details" not in page


def test_correction_typed_as_labels_and_checked_on_save(client, pupil, world):
    client.force_login(world.school_user(pupil.school))
    response = client.post(url("add") + "?type=correction", {
        "case_type": "correction", "student": pupil.student_id, "effective_on": "2026年3月2日",
        "changes_birth_date": "2011-01-01", "changes_gender": "F"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.details == {"changes": {"birth_date": "2011-01-01", "gender": "F"}}
    page = client.get(url("edit", case.pk)).content.decode()
    assert "更正后的出生日期与公民身份号码" in page and "2011年1月1日" in page  # the check, shown at once


def test_a_student_of_another_school_cannot_be_posted(client, pupil, world):
    elsewhere = register_student(school=SchoolFactory(category="1"), name="李四")
    client.force_login(world.school_user(pupil.school))
    response = client.post(url("add") + "?type=death", {
        "case_type": "death", "student": elsewhere.student_id, "effective_on": "2026-03-02", "died_on": "2026-03-01"})
    assert response.status_code == 200 and "请选择本校在籍学生" in response.content.decode()
    assert not Case.objects.exists()


def test_lookups_answer_only_what_the_user_may_pick(client, pupil, world):
    other_county = Jurisdiction.objects.get(code="620502")
    elsewhere = register_student(school=SchoolFactory(category="1", county=other_county, name="秦州区第二中学"),
                                 name="王大明")
    client.force_login(world.school_user(pupil.school))
    students = client.get(url("lookup"), {"kind": "student", "q": "王"}).json()["results"]
    assert [s["id"] for s in students] == [pupil.student_id]  # 王大明 is another school's
    schools = client.get(url("lookup"), {"kind": "school", "q": "秦州"}).json()["results"]
    assert [s["id"] for s in schools] == [elsewhere.school_id]  # any school may be a destination
    target = SchoolClassFactory(school=elsewhere.school, stage="junior", cohort=2024, class_name="5班")
    classes = client.get(url("lookup"), {"kind": "school_class", "school": elsewhere.school_id}).json()
    assert [c["id"] for c in classes["results"]] == [target.pk] and "5班" in classes["results"][0]["label"]
    assert client.get(url("lookup"), {"kind": "school_class"}).json() == {"results": [], "hint": "请先选择学校"}
    client.force_login(world.authority_user(other_county))
    assert client.get(url("lookup"), {"kind": "student", "q": "王"}).json()["results"][0]["id"] == elsewhere.student_id


def test_pickers_search_students_as_the_student_list_does(client, pupil, world):
    """The case form's pickers use the one student search (cases/search.py): name, pinyin and
    initials prefixes, registry and ID numbers exact, number prefixes; a query of no known
    shape finds nobody."""
    classmate = register_student(school_class=pupil.school_class, stage="junior", name="李雷")
    client.force_login(world.school_user(pupil.school))

    def picked(kind, q):
        return [r["id"] for r in client.get(url("lookup"), {"kind": kind, "q": q}).json()["results"]]

    student = pupil.student
    for q in ("王小", "wangx", "wxm", student.registry_number.lower(), student.registry_number[:-1]):
        assert picked("student", q) == [student.pk], q
    assert picked("student", "李") == [classmate.student_id]
    assert picked("student", "王%") == [] and picked("student", "%") == []
    assert picked("registrations", "wxm") == [pupil.pk] and picked("registrations", "li") == [classmate.pk]
    assert set(picked("student", "")) == {student.pk, classmate.student_id}  # an empty query lists the school's


def _suspension(world, pupil, **extra):
    return open_case(world, case_type="suspension", school=pupil.school, student=pupil.student, reason="other",
                     end_on=datetime.date(2026, 8, 31),
                     evidence=["parent_application", "suspension_proof"], **extra)


def test_reject_needs_a_comment_and_approve_finishes_with_no_stale_failures(client, pupil, world):
    case, submitter = _suspension(world, pupil)
    case = case_submit(acting_user=submitter, case=case)
    client.force_login(staff_user(pupil.school))  # 学校审核: a colleague at the school (not the submitter)
    client.post(url("decide", case.pk), {"action": "reject", "comment": " "})
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW and current_step(case).status == "in_progress"
    client.post(url("decide", case.pk), {"action": "approve"})
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    client.force_login(county)
    page = client.get(url("edit", case.pk)).content.decode()
    assert "这是最后一步审批" in page and "确认同意并生效" in page
    assert "取消工作流" not in page and "发布" not in page
    client.post(url("decide", case.pk), {"action": "approve", "comment": "同意"})
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    # Approved: the rules were checked when it was decided; nothing stale is shown.
    pupil.refresh_from_db()
    assert pupil.status == "suspended"
    page = client.get(url("edit", case.pk)).content.decode()
    assert 'data-testid="case-checks"' not in page and "学生不在籍在读" not in page


def test_withdraw_then_edit_and_resubmit_the_same_case(client, pupil, world):
    case, submitter = _suspension(world, pupil)
    case = case_submit(acting_user=submitter, case=case)
    # The school's head decides the school step: 同意/退回, not the submitting side's 撤回.
    client.force_login(world.approver_of_current_step(case))
    page = client.get(url("edit", case.pk)).content.decode()
    assert 'data-testid="approve"' in page and 'data-testid="withdraw"' not in page
    client.force_login(submitter)
    assert 'data-testid="withdraw"' in client.get(url("edit", case.pk)).content.decode()
    client.post(url("withdraw", case.pk))
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and current_step(case) is None
    response = client.post(url("edit", case.pk), {"reason": "other", "reason_text": "家长补充说明",
                                                  "effective_on": "2026-03-02", "end_on": "2026-07-31",
                                                  "action-submit": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW and case.end_on == datetime.date(2026, 7, 31)
    assert Case.objects.count() == 1 and case.workflow_states.count() == 2


def test_only_the_submitting_side_withdraws(client, pupil, world):
    """撤回 is the submitter's: the school's head who decides its step, a colleague, the county
    and another school are refused by the service and by a POST to the admin's URL (the button
    is not the only guard); nothing changes."""
    from django.core.exceptions import PermissionDenied

    from cases.models import RegistryLogEntry
    from cases.services.cases import case_withdraw

    case, submitter = _suspension(world, pupil)
    case = case_submit(acting_user=submitter, case=case)
    head, colleague = world.school_head(pupil.school), staff_user(pupil.school)
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    stranger = world.school_user(SchoolFactory(category="1"))

    def refused_everywhere(case):
        for user in (head, colleague, county, stranger):
            with pytest.raises(PermissionDenied):
                case_withdraw(acting_user=user, case=case)
            client.force_login(user)
            response = client.post(url("withdraw", case.pk))
            assert response.status_code == (404 if user is stranger else 302), user  # out of scope: missing
            assert 'data-testid="withdraw"' not in client.get(url("edit", case.pk)).content.decode()
        case.refresh_from_db()
        assert case.state == CaseState.IN_REVIEW and current_step(case) is not None
        assert not RegistryLogEntry.objects.filter(action="xueji.case.withdraw").exists()

    refused_everywhere(case)  # at the school step, which the head decides
    case = case_approve(acting_user=head, case=case)
    refused_everywhere(case)  # at the county step: the head who signed still does not withdraw
    client.force_login(submitter)
    client.post(url("withdraw", case.pk))
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_generally_refused_rules_warn_everyone_and_the_authority_overrides_with_a_reason(client, world):
    school = SchoolFactory(category="1")
    first_year = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2025),
                                  stage="junior", name="李一年")  # grade 1 in spring 2026: 一般不予转学
    destination = SchoolFactory(category="1")
    target = SchoolClassFactory(school=destination, stage="junior", cohort=2025)
    case, submitter = open_case(world, case_type="transfer", school=school, student=first_year.student,
                                transfer_scope="within", destination_school=destination, reason="relocation",
                                details={"destination_class": target.pk},
                                evidence=["transfer_application", "residence_proof"])
    client.force_login(submitter)
    assert "初始年级一般不予转学" in client.get(url("edit", case.pk)).content.decode()
    case = case_submit(acting_user=submitter, case=case)  # a warning does not stop submission
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=staff_user(school), case=case)  # a colleague signs for the origin
    page = client.get(url("edit", case.pk)).content.decode()
    assert "须由学籍主管部门审批时特批" in page and 'name="rule_code"' not in page
    county = world.authority_user(Jurisdiction.objects.get(code="620102"), role=Role.REVIEWER)
    client.force_login(county)
    page = client.get(url("edit", case.pk)).content.decode()
    assert 'name="rule_code" value="transfer_initial_grade"' in page and "特批理由" in page
    client.post(url("override", case.pk), {"rule_code": "transfer_initial_grade", "reason": ""})
    case.refresh_from_db()
    assert case.overrides == []  # a reason is required
    client.post(url("override", case.pk), {"rule_code": "transfer_initial_grade", "reason": "家庭特殊困难"})
    case.refresh_from_db()
    assert [o["reason"] for o in case.overrides] == ["家庭特殊困难"]
    assert "已特批:家庭特殊困难" in client.get(url("edit", case.pk)).content.decode()


def test_the_live_check_answers_what_saving_would_say_and_writes_nothing(client, pupil, world):
    client.force_login(world.school_user(pupil.school))
    answer = client.post(url("check"), {"case_type": "correction", "student": pupil.student_id,
                                        "effective_on": "2026-03-02", "changes_birth_date": "2011-01-01"}).json()
    assert [(p["field"], p["article"]) for p in answer["problems"]] == [("changes_birth_date", "第十五条")]
    assert "与公民身份号码" in answer["problems"][0]["message"] and not Case.objects.exists()
    missing = client.post(url("check"), {"case_type": "suspension", "student": pupil.student_id,
                                         "reason": "illness"}).json()["problems"]
    assert {p["field"] for p in missing} >= {"effective_on", "end_on"}
    case, submitter = _suspension(world, pupil)
    before = Case.objects.get(pk=case.pk).end_on
    answer = client.post(url("check", case.pk), {"reason": "other", "effective_on": "2026-03-02",
                                                 "end_on": "2027-06-30"}).json()
    assert [p["message"] for p in answer["problems"]] == ["单次休学期限不超过一年"]
    assert Case.objects.get(pk=case.pk).end_on == before  # nothing written
    client.force_login(world.school_user(SchoolFactory(category="1")))  # out of scope: like a missing case
    assert client.post(url("check", case.pk), {}).status_code == 404


def test_the_live_check_of_a_new_intake_checks_every_rule_without_a_saved_case(client, pupil, world):
    """Before the first save (no case yet) the intake is checked as submission would: an age that
    does not fit the grade shows on its row, and nothing is written or fails."""
    from cases.numbers.id_number import make_id_number

    school = pupil.school
    intake_class = SchoolClassFactory(school=school, stage="junior", cohort=2026, class_name="新生班")
    client.force_login(world.school_user(school))
    born = datetime.date(2019, 4, 3)  # seven: too young for junior school
    response = client.post(url("check"), {
        "case_type": "registration", "stage": "junior", "effective_on": "2026年11月25日",
        "school_class": intake_class.pk, "people-0-name": "杜一鸣", "people-0-gender": "M",
        "people-0-birth_date": "2019年4月3日", "people-0-id_number": make_id_number("620102", born, 11)})
    assert response.status_code == 200
    assert [p["field"] for p in response.json()["problems"]] == ["people[0].birth_date"]
    assert not Case.objects.exists()


BANNED = ("发布", "取消工作流", "工作流", "moderation", "Moderation", "Publish", "publish", "Submit", "审核中止")


@pytest.mark.parametrize("who", ["submitter", "approver"])
def test_case_screens_speak_of_cases_not_of_publishing_or_workflows(client, pupil, world, who):
    case, submitter = _suspension(world, pupil)
    client.force_login(submitter)
    page = client.get(url("edit", case.pk)).content.decode()
    assert "保存草稿" in page and "提交" in page
    case = case_submit(acting_user=submitter, case=case)
    user = submitter if who == "submitter" else world.school_user(pupil.school)
    client.force_login(user)
    for address in (url("edit", case.pk), url("list")):
        text = client.get(address).content.decode()
        visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", text, flags=re.S)
        assert not [word for word in BANNED if word in visible], (address, [w for w in BANNED if w in visible])


def test_issuing_and_revoking_a_certificate_ask_for_confirmation(client, pupil, world):
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="620102")))
    page = client.post(reverse("xueji_certificate_issue", args=[pupil.student_id]), {"kind": "student_card"},
                       follow=True).content.decode()
    assert 'data-xj-confirm="确认签发所选证书证明' in page
    assert 'data-xj-confirm="确认作废' in page and "cases/case_dialogs.js" in page
