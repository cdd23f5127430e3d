"""One rule of who decides a step (cases/workflow.py, task_states_awaiting), asked by every door:
a school whose only account submitted the case has its school step decided by its county, and
the dashboard's 待我审批, the case list's filter, 批量审核, GraphQL's awaitingMe and its filter and
the decision itself all agree; once the school has a second account, none of them offers the
step to the county any more."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import CaseState, Jurisdiction, Office, Role
from cases.services.cases import case_approve, case_submit
from cases.workflow import current_step, task_states_awaiting, user_may_act
from tests.case_types.helpers import World, open_case
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user
from tests.graphql.kit import Api

pytestmark = pytest.mark.django_db
ILLNESS = ["parent_application", "hospital_diagnosis", "medical_records", "medical_bills"]
CASES = """query($mine: Boolean) { cases(first: 50, awaitingMe: $mine) { edges { node { number awaitingMe
    currentStep { awaitingMe } } } } }"""


def submitted_suspension(world, school, name):
    registration = register_student(school_class=SchoolClassFactory(school=school, stage="primary", cohort=2023),
                                    stage="primary", birth_date=datetime.date(2017, 5, 1), name=name)
    case, submitter = open_case(world, case_type="suspension", school=school, student=registration.student,
                                reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS,
                                end_on=datetime.date(2026, 7, 10))
    return case_submit(acting_user=submitter, case=case), submitter


def doors(client, user, case):
    """What each door says about ``case`` waiting for ``user``."""
    client.force_login(user)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    waiting = dashboard.split("data-panel='awaiting'")[1].split("</section>")[0]
    listing = client.get(reverse("wagtailsnippets_cases_case:list"), {"waiting_for_me": "1"}).content.decode()
    bulk = client.get(f"/admin/bulk/cases/case/approve_many/?next=/admin/&id={case.pk}").content.decode()
    api = Api(user).data(CASES, {"mine": True})["cases"]["edges"]
    node = next((e["node"] for e in Api(user).data(CASES)["cases"]["edges"] if e["node"]["number"] == case.number),
                None)
    return {
        "dashboard": case.number in waiting,
        "filter": case.number in listing,
        "bulk": case.number in bulk.split("不予办理")[0],
        "api filter": [e["node"]["number"] for e in api] == [case.number],
        "api field": bool(node and node["awaitingMe"] and node["currentStep"]["awaitingMe"]),
        "rule": [s.pk for s in task_states_awaiting(user)] == [current_step(case).pk],
        "one step": user_may_act(current_step(case), user),
    }


def test_a_lone_registrars_school_step_is_the_countys_at_every_door(client):
    world = World()
    school = SchoolFactory(category="0", county=Jurisdiction.objects.get(code="620102"))
    case, submitter = submitted_suspension(world, school, "独校生")
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    assert current_step(case).approver_school_id == school.pk
    assert doors(client, county, case) == dict.fromkeys(doors(client, county, case), True)
    # Nobody else: the submitter, the city above, another county, the county's plain registrar.
    for user in (submitter, world.authority_user(Jurisdiction.objects.get(code="6201")),
                 world.authority_user(Jurisdiction.objects.get(code="620502")),
                 staff_user(Jurisdiction.objects.get(code="620102"), role=Role.REGISTRAR)):
        assert not any(doors(client, user, case).values()), user
    # The county's registrar (logged in last) posts a bulk approval: nothing is decided.
    client.post(f"/admin/bulk/cases/case/approve_many/?next=/admin/&id={case.pk}", {"comment": "同意"})
    assert current_step(case).approver_school_id == school.pk
    # The county decides it through the same rule (in bulk), and the case moves on.
    client.force_login(county)
    page = client.post(f"/admin/bulk/cases/case/approve_many/?next=/admin/&id={case.pk}",
                       {"comment": "同意"}).content.decode()
    assert "已办理 1 件" in page
    case.refresh_from_db()
    assert current_step(case).approver_school_id is None and current_step(case).approver_code == "620102"


def test_a_second_account_takes_the_school_step_back_from_the_county(client):
    world = World()
    school = SchoolFactory(category="0", county=Jurisdiction.objects.get(code="620102"))
    case, submitter = submitted_suspension(world, school, "两人校生")
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    head = world.school_head(school)
    assert not any(doors(client, county, case).values())
    assert doors(client, head, case) == dict.fromkeys(doors(client, head, case), True)
    with pytest.raises(PermissionDenied):
        case_approve(acting_user=county, case=case, comment="同意")
    # The head leaves (deactivated): the school is back to its submitter alone, the county decides.
    head.is_active = False
    head.save(update_fields=["is_active"])
    assert all(doors(client, county, case).values())
    case = case_approve(acting_user=county, case=case, comment="同意")
    assert case.state == CaseState.IN_REVIEW and current_step(case).approver_code == "620102"


def test_a_school_without_any_account_hands_its_consent_to_no_one(client):
    world = World()
    school = SchoolFactory(category="0", county=Jurisdiction.objects.get(code="620102"))
    case, submitter = submitted_suspension(world, school, "无人校生")
    submitter.is_active = False  # the only account leaves after submitting
    submitter.save(update_fields=["is_active"])
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    assert not any(doors(client, county, case).values())


def test_the_exam_authority_never_takes_a_province_direct_schools_step(client):
    """The provincial exam authority is a unit of its own (第二十二条): a province-direct school's
    lone registrar hands its step to the province's registry reviewers, not to the exam office."""
    world = World()
    school = SchoolFactory(category="0", county=Jurisdiction.objects.get(code="620102"), supervision="province")
    case, _ = submitted_suspension(world, school, "省直校生")
    assert school.scope_code == "62"
    exam = staff_user(Jurisdiction.objects.get(code="62"), role=Role.REVIEWER, office=Office.EXAM)
    province = world.authority_user(Jurisdiction.objects.get(code="62"))
    assert not task_states_awaiting(exam).exists() and not user_may_act(current_step(case), exam)
    assert [s.pk for s in task_states_awaiting(province)] == [current_step(case).pk]
