"""批量审核: many cases approved together, each re-checked and decided on its own; failures
listed with their reasons; a bulk rejection needs a comment; only cases waiting at my step."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseState, Jurisdiction, Registration
from cases.services.cases import case_approve, case_submit
from cases.services.decisions import cases_decide
from cases.services.registrations import registration_change_status
from cases.workflow import current_step
from tests.case_types.helpers import World, open_case
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

pytestmark = pytest.mark.django_db
ILLNESS = ["parent_application", "hospital_diagnosis", "medical_records", "medical_bills"]


@pytest.fixture
def world():
    return World()


@pytest.fixture
def school():
    school = SchoolFactory(category="0", name="城关区第三小学")
    SchoolClassFactory(school=school, stage="primary", cohort=2023, class_name="1班")
    return school


@pytest.fixture
def county(world):
    return world.authority_user(Jurisdiction.objects.get(code="620102"))


def waiting_at_county(world, school, count):
    cases = []
    for i in range(count):
        registration = register_student(school_class=school.classes.get(), stage="primary",
                                        birth_date=datetime.date(2017, 5, 1), name=f"休学生{i}")
        case, submitter = open_case(world, case_type="suspension", school=school, student=registration.student,
                                    reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS,
                                    end_on=datetime.date(2026, 7, 10))
        case = case_submit(acting_user=submitter, case=case)
        cases.append(case_approve(acting_user=world.school_head(school), case=case, comment="同意"))
    return cases


def test_each_case_is_decided_on_its_own_and_failures_are_listed(world, school, county):
    cases = waiting_at_county(world, school, 3)
    # The second student left meanwhile: its final re-check fails, the others go through.
    registration_change_status(acting_user=None, registration=cases[1].registration, status="dropped_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="辍学")
    result = cases_decide(acting_user=county, cases=cases, action="approve", comment="")
    assert [c.pk for c in result.decided] == [cases[0].pk, cases[2].pk]
    assert [c.pk for c, _ in result.failed] == [cases[1].pk] and result.failed[0][1]
    for case in cases:
        case.refresh_from_db()
    assert [c.state for c in cases] == [CaseState.APPROVED, CaseState.IN_REVIEW, CaseState.APPROVED]
    assert Registration.objects.get(pk=cases[0].registration_id).status == "suspended"
    assert Registration.objects.get(pk=cases[1].registration_id).status == "dropped_out"


def test_a_bulk_rejection_needs_a_comment_and_changes_nothing_without(world, school, county):
    cases = waiting_at_county(world, school, 2)
    with pytest.raises(ValidationError):
        cases_decide(acting_user=county, cases=cases, action="reject", comment="  ")
    assert all(current_step(c).status == "in_progress" for c in cases)
    result = cases_decide(acting_user=county, cases=cases, action="reject", comment="材料不全")
    assert len(result.decided) == 2
    for case in cases:
        case.refresh_from_db()
        assert case.state == CaseState.RETURNED


def test_someone_else_cannot_decide_in_bulk(world, school):
    cases = waiting_at_county(world, school, 1)
    other_county = world.authority_user(Jurisdiction.objects.get(code="620502"))
    result = cases_decide(acting_user=other_county, cases=cases, action="approve")
    assert not result.decided and result.failed[0][1] == ["您不是该案卷当前步骤的审批人"]
    cases[0].refresh_from_db()
    assert cases[0].state == CaseState.IN_REVIEW


def bulk_url(action, ids):
    return f"/admin/bulk/cases/case/{action}/?next=/admin/snippets/cases/case/&" + "&".join(f"id={i}" for i in ids)


def test_bulk_approval_in_the_admin(client, world, school, county):
    cases = waiting_at_county(world, school, 3)
    draft, _ = open_case(world, case_type="suspension", school=school, reason="illness",
                         details={"hospital_county_level": True}, end_on=datetime.date(2026, 7, 10),
                         student=register_student(school=school, stage="primary", name="草稿生").student)
    client.force_login(county)
    ids = [c.pk for c in cases] + [draft.pk]
    page = client.get(bulk_url("approve_many", ids)).content.decode()
    assert all(c.number in page.split("不予办理")[0] for c in cases) and draft.number in page.split("不予办理")[1]
    # A rejection without a comment: refused inside the form, nothing changes.
    page = client.post(bulk_url("reject_many", ids), {"comment": ""}).content.decode()
    assert "批量退回须填写意见" in page
    assert all(current_step(c).status == "in_progress" for c in cases)
    registration_change_status(acting_user=None, registration=cases[0].registration, status="dropped_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="辍学")
    page = client.post(bulk_url("approve_many", ids), {"comment": "同意"}).content.decode()
    assert "已办理 2 件" in page and "未能办理 1 件" in page and cases[0].number in page.split("未能办理")[1]
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_case_list_filters(client, world, school, county):
    cases = waiting_at_county(world, school, 2)
    client.force_login(county)
    url = reverse("wagtailsnippets_cases_case:list")
    page = client.get(url, {"waiting_for_me": "1"}).content.decode()
    assert all(c.number in page for c in cases)
    assert cases[0].number in client.get(url, {"case_type": "suspension", "step": "authority"}).content.decode()
    assert cases[0].number not in client.get(url, {"step": "school"}).content.decode()
    assert cases[0].number not in client.get(url, {"overdue": "1"}).content.decode()
    assert cases[0].number in client.get(url, {"overdue": "0", "school": school.pk}).content.decode()
