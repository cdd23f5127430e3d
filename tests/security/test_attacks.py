"""The attacks of issue 9, items 1–4, each written as the attacker would try it; each asserts
the refusal and that nothing was written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from graphql_relay import to_global_id
from wagtail.models import TaskState

from cases import models as m
from cases.errors import rule_errors
from cases.services.cases import case_approve, case_create, case_reject, case_submit, case_update_draft
from cases.services.certificates import certificate_issue, certificate_render_pdf, certificate_revoke
from cases.services.print_jobs import print_job_create
from cases.workflow import current_step, steps_of
from tests.case_types.helpers import World, pdf, registry_snapshot
from tests.factories import SchoolClassFactory, SchoolFactory, register_student
from tests.graphql.kit import Api

from .scenario import build


@pytest.fixture
def scenario(db):
    return build()


# --- 第十四条: the former school reads, it does not act -----------------------------------
def test_former_school_cannot_start_a_case_about_the_student(scenario):
    before = (m.Case.objects.count(), registry_snapshot())
    for user in (scenario.users["school"],):
        with pytest.raises(ValidationError) as info:
            case_create(acting_user=user, case_type="dropout", school=scenario.schools["jia"],
                        student=scenario.students["mover"], reason="absent", effective_on=datetime.date(2026, 5, 6),
                        details={"absent_since": "2026-04-20", "township_reported_on": "2026-04-27"})
        assert [e["code"] for e in rule_errors(info.value)] == ["case_student_not_at_school"]
    # Nor by naming the new school as its own.
    with pytest.raises(PermissionDenied):
        case_create(acting_user=scenario.users["county"], case_type="dropout", school=scenario.schools["bing"],
                    student=scenario.students["mover"], reason="absent", effective_on=datetime.date(2026, 5, 6),
                    details={"absent_since": "2026-04-20", "township_reported_on": "2026-04-27"})
    assert (m.Case.objects.count(), registry_snapshot()) == before


def test_former_side_cannot_issue_revoke_or_print_and_does_not_see_the_new_schools(scenario, client):
    mover = scenario.students["mover"]
    after = scenario.certificates["after"]
    before = (m.Certificate.objects.count(), m.CertificatePrint.objects.count(), m.PrintJob.objects.count())
    for role in ("school", "county", "city"):  # 甲校 and the authorities above it (not 丙校's)
        user = scenario.users[role]
        with pytest.raises(PermissionDenied):
            certificate_issue(acting_user=user, kind="archive_dossier", student=mover)
        with pytest.raises(PermissionDenied):
            certificate_revoke(acting_user=user, certificate=after, reason="伪造作废")
        with pytest.raises(PermissionDenied):
            certificate_render_pdf(acting_user=user, certificate=after)
        with pytest.raises(PermissionDenied):
            print_job_create(acting_user=user, certificates=[after])
    assert (m.Certificate.objects.count(), m.CertificatePrint.objects.count(), m.PrintJob.objects.count()) == before
    after.refresh_from_db()
    assert after.revoked_at is None
    # The former school's admin: the student's history, but not the new school's certificate,
    # archive note or case, and no button to issue.
    client.force_login(scenario.users["school"])
    page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[mover.pk])).content.decode()
    assert "转出生" in page and after.serial not in page and "丙校三好学生" not in page
    assert 'data-testid="issue-certificate"' not in page
    assert client.get(reverse("xueji_certificate_pdf", args=[after.pk])).status_code == 404
    later = scenario.cases["later"]
    assert client.get(reverse("wagtailsnippets_cases_case:edit", args=[later.pk])).status_code == 404
    # …while the new school acts.
    client.force_login(scenario.users["new_school"])
    page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[mover.pk])).content.decode()
    assert after.serial in page and 'data-testid="issue-certificate"' in page


# --- personal data: whole for the holder, masked for the others -----------------------------
def test_personal_data_is_masked_for_the_former_and_the_named_school(scenario, client):
    mover, incoming = scenario.students["mover"], scenario.students["incoming"]
    query = """query($id: ID!) { student(id: $id) { name registryNumber idNumber address householdAddress
        guardians { phone idNumber } } }"""
    whole = Api(scenario.users["new_school"]).data(query, {"id": to_global_id("Student", mover.pk)})["student"]
    assert whole["idNumber"] == mover.id_number and whole["address"] == "兰州市城关区转出路1号"
    assert whole["guardians"] == [{"phone": "13912345678", "idNumber": "620102198001011234"}]
    for role in ("school", "county"):  # the former school and its authority
        seen = Api(scenario.users[role]).data(query, {"id": to_global_id("Student", mover.pk)})["student"]
        assert seen["name"] == "转出生"
        assert seen["idNumber"] != mover.id_number and "*" in seen["idNumber"]
        # A G registry number is "G" + the ID number (第九条): masked the same way.
        assert seen["registryNumber"] == "G" + seen["idNumber"] != mover.registry_number
        assert seen["address"] == "兰州市城关区****" and seen["householdAddress"] == "兰州市城关区****"
        assert seen["guardians"] == [{"phone": "139****5678", "idNumber": "6201**********1234"}]
        client.force_login(scenario.users[role])
        page = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[mover.pk])).content.decode()
        for secret in (mover.registry_number, mover.id_number, "转出路1号", "户籍街1号", "13912345678",
                       "620102198001011234"):
            assert secret not in page
    # The school named in a draft transfer reads whom it is asked to take, masked.
    seen = Api(scenario.users["destination_school"]).data(
        "query($id: ID!) { case(id: $id) { student { name idNumber address } registration { id } } }",
        {"id": to_global_id("Case", scenario.cases["draft"].pk)})["case"]
    assert seen["student"]["name"] == "拟转生" and incoming.id_number not in str(seen)
    assert seen["registration"] is None  # 丙校's registration is not 乙校's to read


# --- approvals bound to what was approved -----------------------------------------------------
def target_class(school):
    return m.SchoolClass.objects.filter(school=school, stage="junior", cohort=2024).first() or SchoolClassFactory(
        school=school, stage="junior", cohort=2024)


def transfer_case(world, destination):
    origin = SchoolFactory(category="1", name="原校")
    registration = register_student(school_class=SchoolClassFactory(school=origin, stage="junior", cohort=2024))
    case = case_create(acting_user=world.school_user(origin), case_type="transfer", school=origin,
                       student=registration.student, transfer_scope="within", destination_school=destination,
                       reason="relocation", effective_on=datetime.date(2026, 3, 2),
                       details={"destination_class": target_class(destination).pk})
    from cases.services.cases import evidence_attach

    for kind in ("transfer_application", "residence_proof"):
        evidence_attach(acting_user=world.school_user(origin), case=case, kind=kind, uploaded_file=pdf())
    return case, world.school_user(origin), origin


def test_a_changed_destination_after_consent_voids_the_consent(db):
    world = World()
    agreed, other = SchoolFactory(category="1", name="同意校"), SchoolFactory(category="1", name="另一校")
    case, submitter, origin = transfer_case(world, agreed)
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(agreed), case=case)  # 同意校 consents
    consent = m.RegistryTaskState.objects.get(workflow_state__object_id=str(case.pk), status=TaskState.STATUS_APPROVED)
    case = case_reject(acting_user=world.school_head(origin), case=case, comment="请核对转入学校")
    case = case_update_draft(acting_user=submitter, case=case, changes={
        "destination_school": other, "details": {"destination_class": target_class(other).pk}})
    case = case_submit(acting_user=submitter, case=case)
    # The chain restarts: the new destination must consent; 同意校 cannot act for it.
    step = current_step(case)
    assert step.approver_school == other and step.status == TaskState.STATUS_IN_PROGRESS
    with pytest.raises(PermissionDenied):
        case_approve(acting_user=world.school_user(agreed), case=case)
    # The old consent is on record, untouched, and its voiding is logged.
    consent.refresh_from_db()
    assert consent.status == TaskState.STATUS_APPROVED and consent.workflow_state.status == "cancelled"
    restart = m.RegistryLogEntry.objects.get(action="xueji.case.restart", object_id=str(case.pk))
    assert restart.data["voided"][0]["step"] == consent.task.name
    assert [s.status for s in steps_of(case)][:1] == [TaskState.STATUS_IN_PROGRESS]


def test_an_unchanged_resubmission_resumes_at_the_returning_step(db):
    world = World()
    destination = SchoolFactory(category="1", name="同意校")
    case, submitter, origin = transfer_case(world, destination)
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_reject(acting_user=world.school_head(origin), case=case, comment="补签")
    case = case_submit(acting_user=submitter, case=case)
    assert current_step(case).approver_school == origin  # the consent stands: nothing it approved changed
    assert not m.RegistryLogEntry.objects.filter(action="xueji.case.restart").exists()


# --- separation of duties ---------------------------------------------------------------------
def test_the_submitter_never_decides_a_step_of_the_same_case(db, client):
    world = World()
    destination = SchoolFactory(category="1", name="同意校")
    case, submitter, origin = transfer_case(world, destination)
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    assert current_step(case).approver_school == origin
    before = list(m.RegistryTaskState.objects.order_by("pk").values_list("status", flat=True))
    with pytest.raises(PermissionDenied):
        case_approve(acting_user=submitter, case=case)
    with pytest.raises(PermissionDenied):
        case_reject(acting_user=submitter, case=case, comment="自己退回")
    assert list(m.RegistryTaskState.objects.order_by("pk").values_list("status", flat=True)) == before
    # Not offered in the UI, refused through Wagtail's own workflow URL and through the API.
    client.force_login(submitter)
    page = client.get(reverse("wagtailsnippets_cases_case:edit", args=[case.pk])).content.decode()
    assert "同意并签署意见" not in page
    state = current_step(case)
    url = reverse("wagtailsnippets_cases_case:workflow_action", args=[case.pk, "approve", state.pk])
    client.post(url, {"comment": ""})
    api = Api(submitter).data('mutation($id: ID!) { approveCase(id: $id) { errors { code } } }',
                              {"id": to_global_id("Case", case.pk)})
    assert api["approveCase"]["errors"] == [{"code": "permission_denied"}]
    assert list(m.RegistryTaskState.objects.order_by("pk").values_list("status", flat=True)) == before
    # The school's head decides its school step.
    case = case_approve(acting_user=world.school_head(origin), case=case)
    assert current_step(case).approver_school is None


def test_a_school_with_one_registrar_has_its_step_decided_by_its_authority(db):
    world = World()
    destination = SchoolFactory(category="1", name="同意校")
    case, submitter, origin = transfer_case(world, destination)  # 原校 has one account: the submitter
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    county = world.authority_user(origin.county)
    case = case_approve(acting_user=county, case=case)
    assert current_step(case).approver_school is None
    finished = m.RegistryTaskState.objects.get(workflow_state__object_id=str(case.pk), approver_school=origin)
    assert finished.status == TaskState.STATUS_APPROVED and finished.finished_by == county
