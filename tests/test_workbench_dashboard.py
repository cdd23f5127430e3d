"""The dashboard's queues: each row with student, school, step and working days left or late,
in a constant number of queries whatever the number of cases."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Jurisdiction, RegistryTaskState
from cases.services.cases import case_approve, case_reject, case_submit
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


def suspensions(world, school, count, start=0):
    """``count`` illness suspensions, submitted by the registrar and approved by the head (separation of
    duties): each waits at the county."""
    cases = []
    for i in range(start, start + count):
        registration = register_student(school_class=school.classes.get(), stage="primary",
                                        birth_date=datetime.date(2017, 5, 1), name=f"休学生{i}")
        case, submitter = open_case(world, case_type="suspension", school=school, student=registration.student,
                                    reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS,
                                    end_on=datetime.date(2026, 7, 10))
        case = case_submit(acting_user=submitter, case=case)
        cases.append(case_approve(acting_user=world.school_head(school), case=case, comment="同意"))
    return cases


def panel(page, name):
    return page.split(f"data-panel='{name}'")[1].split("</section>")[0]


def test_queues_show_student_school_step_and_days(client, world, school):
    cases = suspensions(world, school, 2)
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    client.force_login(county)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    waiting = panel(page, "awaiting")
    assert all(c.number in waiting for c in cases) and "休学生0" in waiting and school.name in waiting
    assert "个工作日" in waiting and current_step(cases[0]).task.name in waiting
    # Late: the step's due date in the past shows "逾期".
    RegistryTaskState.objects.filter(pk=current_step(cases[0]).pk).update(due_on=datetime.date(2020, 1, 6))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "逾期" in panel(page, "overdue") and cases[0].number in panel(page, "overdue")
    # Returned: the school sees it in its queue, with the student.
    case_reject(acting_user=county, case=cases[1], comment="诊断书不清晰")
    client.force_login(world.school_user(school))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert cases[1].number in panel(page, "returned") and "休学生1" in panel(page, "returned")
    assert cases[0].number in panel(page, "submitted") and cases[1].number not in panel(page, "submitted")
    # Wagtail's stock moderation panels are gone, and so is "Search all pages".
    assert "Awaiting your review" not in page and "Search all pages" not in page


def test_dashboard_queries_are_constant_from_10_to_100_cases(client, world, school, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [world.authority_user(Jurisdiction.objects.get(code="620102")), world.school_user(school)]
    suspensions(world, school, 10)
    at_10 = {}
    for user in users:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("wagtailadmin_home")).content.decode()
        at_10[user.pk] = len(queries)
        assert "休学生9" in page
    suspensions(world, school, 90, start=10)
    for user in users:
        client.force_login(user)
        with django_assert_max_num_queries(at_10[user.pk]):
            page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert page.count("休学生") >= 50  # each queue lists its first 50 rows


def test_the_submitter_never_finds_the_case_in_waiting_for_me(client, world, school):
    """Seen in chromium: a school registrar's 待我审批 listed the case they had just submitted,
    whose school step only the head may decide (separation of duties)."""
    registration = register_student(school_class=school.classes.get(), stage="primary",
                                    birth_date=datetime.date(2017, 5, 1), name="自提生")
    case, submitter = open_case(world, case_type="suspension", school=school, student=registration.student,
                                reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS,
                                end_on=datetime.date(2026, 7, 10))
    case = case_submit(acting_user=submitter, case=case)
    client.force_login(submitter)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert case.number not in panel(page, "awaiting") and case.number in panel(page, "submitted")
    client.force_login(world.school_head(school))
    assert case.number in panel(client.get(reverse("wagtailadmin_home")).content.decode(), "awaiting")


def test_every_queue_holding_cases_at_once_stays_within_twenty_queries(client, world, school):
    """Issue 13: the dashboard of any role in at most 20 queries. Before, each queue of cases read
    the steps of its rows in a query of its own, so a school whose queues all held cases went past
    20 (the benchmark's seed left most of them empty). Every queue full here, each listing its own
    cases and no other's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted, returned = suspensions(world, school, 2)
    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    case_reject(acting_user=county, case=returned, comment="诊断书不清晰")
    origin = SchoolFactory(category="0", name="秦州区第一小学", county=Jurisdiction.objects.get(code="620502"))
    moving = register_student(school_class=SchoolClassFactory(school=origin, stage="primary", cohort=2023),
                              stage="primary", birth_date=datetime.date(2017, 5, 1), name="转入生")
    arriving, submitter = open_case(world, case_type="transfer", school=origin, student=moving.student,
                                    transfer_scope="within", destination_school=school,
                                    details={"destination_class": school.classes.get().pk}, reason="other",
                                    evidence=["transfer_application"])
    arriving = case_submit(acting_user=submitter, case=arriving)
    while current_step(arriving).approver_school_id != school.pk:  # on to the destination school's step
        arriving = case_approve(acting_user=world.approver_of_current_step(arriving), case=arriving, comment="同意")
    RegistryTaskState.objects.filter(status="in_progress").update(due_on=datetime.date(2020, 1, 6))  # all late
    register_student(school=school, stage="primary", birth_date=datetime.date(2017, 5, 1), name="未分班生")
    expected = {
        world.school_user(school): {"submitted": [submitted], "returned": [returned], "incoming": [arriving],
                                    "awaiting": [arriving], "overdue": [arriving], "unplaced": []},
        county: {"awaiting": [submitted], "overdue": [submitted, arriving], "incoming": [arriving]},  # and below
    }
    for user, queues in expected.items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert len(queries) <= 20, [q["sql"][:80] for q in queries.captured_queries]
        assert "未分班生" in panel(page, "unplaced") if "unplaced" in queues else "data-panel='unplaced'" not in page
        every = {submitted.number, returned.number, arriving.number}
        for name, cases in queues.items():
            if name == "unplaced":
                continue
            shown = {number for number in every if number in panel(page, name)}
            assert shown == {c.number for c in cases}, (user, name, shown)


def test_the_workflow_reports_ask_nothing_per_case_of_a_superuser(client, world, school):
    """Wagtail's report of steps asked the scope of each listed case (a query per row, through
    the admin URL finder); a superuser's scope is the whole registry, decided without a query."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(get_user_model().objects.create_superuser("root-report", password="x"))
    counts = []
    for more in (2, 4):
        cases = suspensions(world, school, more, start=len(counts) * 10)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("wagtailadmin_reports:workflow_tasks")).content.decode()
        assert all(case.number in page for case in cases)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_index_of_record_types_counts_each_type_only_up_to_a_limit(client, school, monkeypatch):
    """The 片段 index counted every row of each type the user reads: for the province, five
    million students on every visit. Each count stops past the limit and says so."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.admin import reports
    from cases.models import Student

    for n in range(3):
        register_student(school=school, stage="primary", birth_date=datetime.date(2017, 5, 1), name=f"计数生{n}")
    monkeypatch.setattr(reports, "COUNT_LIMIT", 2)
    client.force_login(get_user_model().objects.create_superuser("root-index", password="x"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/snippets/").content.decode()
    assert Student.objects.count() == 3 and "2 以上" in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counts and all("LIMIT" in sql for sql in counts), counts  # no count of a whole table


def test_the_site_history_decides_the_objects_of_its_page_at_once(client, world, school):
    """The site history links each entry to its object's edit view when the user may change it:
    Wagtail's URL finder asked the policy per row (a query per case entry). The page's objects
    are decided together, and only what the user may change is linked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = world.authority_user(Jurisdiction.objects.get(code="620102"))
    other = world.authority_user(Jurisdiction.objects.get(code="620103"))
    counts = []
    for more in (2, 4):
        cases = suspensions(world, school, more, start=len(counts) * 10)
        client.force_login(county)
        client.get(reverse("wagtailadmin_reports:site_history"))  # caches warm (content types, menus)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
        # One query per type of object on the page (at most the registry's models), not per row.
        counts.append(len([q for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]))
        assert all(reverse("wagtailsnippets_cases_case:edit", args=[c.pk]) in page for c in cases)
    assert counts[0] == counts[1], counts
    client.force_login(other)  # another county: none of these entries, no link to these cases
    page = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert reverse("wagtailsnippets_cases_case:edit", args=[cases[0].pk]) not in page
