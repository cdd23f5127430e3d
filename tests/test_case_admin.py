"""The case editor in the Wagtail admin: every button is a service call, every URL is scoped."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseState, Evidence, Jurisdiction, Registration
from cases.workflow import current_step
from tests.case_types.helpers import PDF, World
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def url(name, *args):
    return reverse(f"wagtailsnippets_cases_case:{name}", args=args)


@pytest.fixture
def setting(db):
    world = World()
    origin = SchoolFactory(category="1", name="城关区第一初级中学")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024),
                                    stage="junior", name="王小明")
    destination = SchoolFactory(category="1", name="秦州区第二中学", county=Jurisdiction.objects.get(code="620502"))
    SchoolClassFactory(school=destination, stage="junior", cohort=2024, class_name="2班")
    return world, registration, destination


def transfer_form(registration, destination, **extra):
    """What the transfer form posts: the pickers' chosen keys, choice codes, dates."""
    return {"transfer_scope": "within", "destination_school": destination.pk,
            "destination_class": destination.classes.get().pk, "reason": "relocation", "reason_text": "随父母迁居天水",
            "effective_on": "2026-03-02", **extra}


def create_through_admin(client, world, registration, destination):
    client.force_login(world.school_user(registration.school))
    response = client.post(url("add"), {"case_type": "transfer", "student": registration.student_id,
                                        **transfer_form(registration, destination)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(student=registration.student)


def upload(client, case, kind, content=PDF, name="scan.pdf"):
    return client.post(url("evidence", case.pk), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_registrar_opens_a_transfer_attaches_evidence_and_submits(client, setting):
    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    assert case.state == CaseState.DRAFT and case.destination_school == destination and case.number.startswith("XJ")
    page = client.get(url("edit", case.pk)).content.decode()
    assert case.number in page and "提交前还须上传" in page and "转学申请" in page

    # A file that is not what it claims is refused by content, and nothing is attached.
    upload(client, case, "transfer_application", content=b"MZ\x90\x00 not a pdf", name="fake.pdf")
    assert not Evidence.objects.filter(case=case).exists()
    for kind in ("transfer_application", "residence_proof"):
        upload(client, case, kind)
    assert set(case.evidence.values_list("kind", flat=True)) == {"transfer_application", "residence_proof"}

    response = client.post(url("edit", case.pk), transfer_form(registration, destination, **{"action-submit": "1"}))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert current_step(case).approver_school == destination
    # The list shows when, in the registry's date form and local time (never an ISO stamp).
    listed = client.get(url("list")).content.decode()
    submitted = timezone.localtime(case.submitted_at)
    assert case.number in listed and f"{submitted.year}年{submitted.month}月{submitted.day}日" in listed
    assert "+00:00" not in listed


def test_submit_without_evidence_shows_the_rule_and_stays_draft(client, setting):
    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    response = client.post(url("edit", case.pk), transfer_form(registration, destination, **{"action-submit": "1"}))
    assert response.status_code == 200
    assert "缺少证明材料" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and current_step(case) is None


def test_approvals_through_the_workflow_urls_refuse_the_wrong_unit_and_move_the_student(client, setting):
    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    for kind in ("transfer_application", "residence_proof"):
        upload(client, case, kind)
    client.post(url("edit", case.pk), transfer_form(registration, destination, **{"action-submit": "1"}))
    case.refresh_from_db()
    # The origin registrar posts straight to the workflow URL of the destination's step: refused.
    state = current_step(case)
    response = client.post(url("workflow_action", case.pk, "approve", state.pk), {"comment": ""}, **XHR)
    assert response.status_code == 403
    assert current_step(case).pk == state.pk and current_step(case).status == "in_progress"
    while (state := current_step(case)) is not None:
        approver = world.approver_of_current_step(case)
        client.force_login(approver)
        response = client.post(url("workflow_action", case.pk, "approve", state.pk), {"comment": "同意"})
        assert response.status_code == 302
        case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert Registration.objects.open().get(student=registration.student).school == destination


def test_case_urls_answer_404_out_of_scope_and_evidence_is_private(client, setting):
    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    upload(client, case, "transfer_application")
    document = case.evidence.get().document
    through_case = reverse("graphql_document", args=[document.pk])
    # In scope: the origin school and its county see the case and the file, through the case only;
    # Wagtail's stock serve URL never serves evidence (cases/documents.py).
    assert client.get(url("edit", case.pk)).status_code == 200
    assert through_case in client.get(url("edit", case.pk)).content.decode()
    assert client.get(through_case).status_code == 200
    assert client.get(document.url).status_code == 404
    outsider_school = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620103"))
    outsiders = [world.school_user(outsider_school), world.authority_user(Jurisdiction.objects.get(code="620103")),
                 world.authority_user(Jurisdiction.objects.get(code="6202"))]
    for outsider in outsiders:
        client.force_login(outsider)
        for name in ("edit", "history", "usage", "inspect", "workflow_history", "evidence"):
            method = client.post if name == "evidence" else client.get
            assert method(url(name, case.pk)).status_code == 404, (outsider, name)
        assert client.get(document.url).status_code == client.get(through_case).status_code == 404
        listing = client.get(url("list")).content.decode()
        assert case.number not in listing
    client.logout()
    assert client.get(document.url).status_code in (302, 404)
    assert client.get(document.url, follow=True).content.count(b"%PDF") == 0
    # The destination side sees the case too (it must consent first).
    client.force_login(world.school_user(destination))
    assert client.get(url("edit", case.pk)).status_code == 200


def test_nobody_publishes_a_case_by_hand(client, setting):
    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    client.post(url("edit", case.pk), transfer_form(registration, destination, **{"action-publish": "1"}))
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and not case.live
    assert Registration.objects.get(pk=registration.pk).status == "active"


def test_dashboard_shows_what_awaits_me(client, setting):
    world, registration, destination = setting
    from tests.case_types.helpers import open_case
    from cases.services.cases import case_submit

    case, submitter = open_case(world, case_type="transfer", school=registration.school,
                                student=registration.student, transfer_scope="within", destination_school=destination,
                                details={"destination_class": destination.classes.get().pk},
                                reason="other", evidence=["transfer_application"],
                                effective_on=datetime.date(2026, 3, 2))
    case_submit(acting_user=submitter, case=case)
    client.force_login(world.school_user(destination))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "待我审批的学籍变动" in page and case.number in page
    client.force_login(submitter)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert case.number not in page.split("待我审批的学籍变动")[1].split("</section>")[0]


def test_every_case_url_answers_404_out_of_scope_including_workflow_views_and_reports(client, setting):
    from cases.services.cases import case_approve, case_submit
    from tests.case_types.helpers import open_case

    world, registration, destination = setting
    case, submitter = open_case(world, case_type="transfer", school=registration.school,
                                student=registration.student, transfer_scope="within", destination_school=destination,
                                details={"destination_class": destination.classes.get().pk},
                                reason="other", evidence=["transfer_application"],
                                effective_on=datetime.date(2026, 3, 2))
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    state = current_step(case)
    revision = case.latest_revision
    workflow_state = case.workflow_states.get()
    urls = [
        reverse("wagtailsnippets_cases_case:revisions_compare", args=[case.pk, "earliest", revision.pk]),
        url("workflow_history_detail", case.pk, workflow_state.pk),
        url("workflow_action", case.pk, "approve", state.pk),
        url("collect_workflow_action_data", case.pk, "approve", state.pk),
        url("confirm_workflow_cancellation", case.pk),
        reverse("wagtailsnippetchoosers_cases_case:chosen", args=[case.pk]),
    ]
    # In scope, the origin's county reaches them (the chooser's pick included).
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="620102")))
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[-1]).status_code == 200
    reports = [reverse("wagtailadmin_reports:workflow"), reverse("wagtailadmin_reports:workflow_tasks")]
    # The workflow reports list cases (a superuser sees this one) …
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root-admin", password="x"))
    for report in reports:
        assert case.number in client.get(report).content.decode()
    # … but out of scope every URL answers 404, and the reports do not list the case, even to
    # an outsider whom page permissions let into the reports.
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    outsider = world.authority_user(Jurisdiction.objects.get(code="620103"))
    editors = Group.objects.create(name="页面编辑")
    GroupPagePermission.objects.create(group=editors, page=Page.get_first_root_node(),
                                       permission=Permission.objects.get(codename="change_page"))
    outsider.groups.add(editors)
    client.force_login(outsider)
    for address in urls:
        method = client.post if "workflow/action" in address else client.get
        assert method(address).status_code == 404, address
    for report in reports:
        response = client.get(report)
        assert response.status_code == 200 and case.number not in response.content.decode()
    choose = client.get(reverse("wagtailsnippetchoosers_cases_case:choose")).content.decode()
    assert case.number not in choose
    assert current_step(case).pk == state.pk  # nothing was decided by the outsider


def test_both_sides_read_the_case_history_and_outsiders_do_not(client, setting):
    from cases.models import RegistryLogEntry

    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    entries = RegistryLogEntry.objects.filter(object_id=str(case.pk), action="xueji.case.create")
    assert entries.exists()
    for user in (world.school_user(destination), world.authority_user(Jurisdiction.objects.get(code="620502"))):
        assert RegistryLogEntry.objects.viewable_by_user(user).filter(pk__in=entries).exists()
        client.force_login(user)
        assert "新建学籍变动案卷" in client.get(url("history", case.pk)).content.decode()
    outsider = world.authority_user(Jurisdiction.objects.get(code="620103"))
    assert not RegistryLogEntry.objects.viewable_by_user(outsider).filter(pk__in=entries).exists()


def test_dashboard_chases_suspensions_past_their_end(client, setting):
    from cases.services.registrations import registration_change_status, registration_set_suspension_end

    world, registration, destination = setting
    registration_change_status(acting_user=None, registration=registration, status="suspended",
                               occurred_on=datetime.date(2025, 9, 1), reason="休学")
    registration_set_suspension_end(acting_user=None, registration=registration,
                                    until=datetime.date(2026, 2, 28), reason="测试")
    client.force_login(world.school_user(registration.school))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = page.split("休学期满未复学")[1].split("</section>")[0]
    assert "王小明" in panel and "2026年2月28日" in panel  # the registry's one date form
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="620102")))
    assert "王小明" in client.get(reverse("wagtailadmin_home")).content.decode().split("休学期满未复学")[1]
    client.force_login(world.school_user(destination))  # another school, another county
    panel = client.get(reverse("wagtailadmin_home")).content.decode().split("休学期满未复学")[1].split("</section>")[0]
    assert "王小明" not in panel


def test_the_case_page_and_its_pdf_come_from_the_types_template(client, setting):
    """The case page renders the type's own template (templates/cases/case_types/transfer.html:
    the declared fields and the transfer's route); 打印案卷 gives the same document as a PDF to
    whoever may read the case, logged as a read of the student (第三十八条), and 404 to anyone else."""
    from cases.models import ReadLogEntry

    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    page = client.get(url("edit", case.pk)).content.decode()
    assert 'data-case-type="transfer"' in page and 'data-testid="transfer-route"' in page
    assert "城关区第一初级中学 → 秦州区第二中学" in page and "转入班级" in page and "2026年3月2日" in page
    assert url("pdf", case.pk) in page
    response = client.get(url("pdf", case.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    read = ReadLogEntry.objects.get(door="case_pdf")
    assert read.student_id == registration.student_id and read.what == f"案卷 {case.number}"
    client.force_login(world.school_user(SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620103"))))
    assert client.get(url("pdf", case.pk)).status_code == 404
    assert ReadLogEntry.objects.filter(door="case_pdf").count() == 1


def test_inspect_opens_the_case_page_and_answers_404_out_of_scope(client, setting):
    """查看 of a case is the case page (Chinese fields, no codes or JSON); out of scope it answers
    exactly like a missing case (404), not with a redirect that would say the case exists."""
    from tests.test_admin_chinese import english_in

    world, registration, destination = setting
    case = create_through_admin(client, world, registration, destination)
    readers = [world.school_user(registration.school), world.authority_user(Jurisdiction.objects.get(code="620102")),
               world.school_user(destination)]
    for reader in readers:
        client.force_login(reader)
        response = client.get(url("inspect", case.pk))
        assert response.status_code == 302 and response["Location"] == url("edit", case.pk), reader
        page = client.get(response["Location"]).content.decode()
        assert case.number in page and "随父母迁居天水" in page
        assert english_in(page)[0] == []  # no code, no English field name (the crawl's detector)
    outsider_school = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620103"))
    for outsider in (world.school_user(outsider_school), world.authority_user(Jurisdiction.objects.get(code="620103")),
                     world.authority_user(Jurisdiction.objects.get(code="6202"))):
        client.force_login(outsider)
        assert client.get(url("inspect", case.pk)).status_code == 404, outsider
        assert client.get(url("inspect", 987654321)).status_code == 404


@pytest.mark.django_db
def test_each_evidence_names_its_kind_once(client):
    """Seen in chromium: 'XJ… 有效证件(护照…)(有效证件(护照…),2026年12月3日 00:06)': the
    document's title already names the kind, so the list does not repeat it."""
    from tests.case_types.helpers import open_case

    school = SchoolFactory(category="1")
    registration = register_student(school_class=SchoolClassFactory(school=school, stage="junior", cohort=2024),
                                    stage="junior", name="周小舟")
    case, registrar = open_case(World(), case_type="study_abroad", school=school, student=registration.student,
                                evidence=["valid_documents"], details={"destination": "新加坡 某中学"})
    client.force_login(registrar)
    page = client.get(reverse("wagtailsnippets_cases_case:edit", args=[case.pk])).content.decode()
    listed = page.split('data-testid="case-evidence"', 1)[1].split("</ul>", 1)[0]
    label = case.case_type_class.required_evidence(case)[0].label
    assert listed.count(label) == 1 and case.number in listed
