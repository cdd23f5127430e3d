"""学籍信息调取 (第三十八条), end to end through the services and the workflow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.log_actions import registry as log_registry

from cases.case_types.data_release import ALLOWED_FIELDS
from cases.errors import rule_errors
from cases.models import (
    ArchiveEntry,
    Case,
    CaseState,
    Jurisdiction,
    RegistryLogEntry,
)
from cases.services.cases import case_reject, case_submit, case_withdraw
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

from .helpers import open_case, registry_snapshot, submit_and_approve_all

REQUEST = {"requester": "兰州市城关区人民法院", "purpose": "审理抚养权纠纷案件核实就读情况"}




@pytest.fixture
def student(db):
    school = SchoolFactory(category="1", name="城关区第三初级中学")
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024, class_name="3班")
    return register_student(school_class=school_class, stage="junior", name="王小明",
                            address="兰州市城关区某路1号")


def request(world, registration, fields, **details):
    return open_case(world, case_type="data_release", school=registration.school, student=registration.student,
                     details={**REQUEST, "fields": fields, **details}, evidence=["written_request"])


def test_data_release_gives_the_approved_extract_only_and_files_who_received_what(world, student):
    fields = ["name", "registry_number", "school", "grade", "status", "auxiliary_number", "name"]
    case, submitter = request(world, student, fields)
    assert "extract" not in case.details
    case, approvers = submit_and_approve_all(world, case, submitter)

    assert [a.staff_profile.unit for a in approvers] == [Jurisdiction.objects.get(code="620102")]
    assert case.state == CaseState.APPROVED
    case = Case.objects.get(pk=case.pk)
    # Exactly the approved items, each once, with their values at approval: nothing else leaves
    # (no ID-number item, address, guardian…; note a G registry number is "G" + the ID number).
    assert case.details["extract"] == {
        "name": "王小明",
        "registry_number": student.student.registry_number,
        "school": "城关区第三初级中学",
        "grade": student.grade_label(timezone.localdate()),
        "status": "在籍在读",
        "auxiliary_number": student.auxiliary_numbers.get().number,
    }
    extract = case.details["extract"]
    assert "某路" not in repr(extract)
    assert set(case.details) == {"requester", "purpose", "fields", "extract"}
    entry = student.student.archive_entries.get(case=case, kind="other")
    assert entry.title == f"学籍信息调取:{REQUEST['requester']}"
    assert "姓名、学籍号、就读学校、年级、学籍状态、学籍辅号" in entry.body and case.number in entry.body
    # The unit's letter stays on the case: it is not evidence of the student's status (第十二条(二)).
    assert not student.student.archive_entries.filter(case=case, kind="evidence").exists()
    logged = RegistryLogEntry.objects.get(action="xueji.archive.append", object_id=str(entry.pk))
    # jsonb (PostgreSQL) keeps no key order: compare the fields as a set.
    assert logged.data["requester"] == REQUEST["requester"] and set(logged.data["fields"]) == set(extract)
    assert log_registry.get_logs_for_instance(case).filter(action="xueji.case.approve").count() == 1


def test_article_38_the_extract_holds_the_values_at_approval(world, student):
    case, submitter = request(world, student, ["status", "ended_on"])
    from cases.services.registrations import registration_change_status

    registration_change_status(acting_user=None, registration=student, status="suspended",
                               occurred_on=datetime.date(2026, 3, 1), reason="休学")
    case, _ = submit_and_approve_all(world, case, submitter)
    assert case.details["extract"] == {"status": "休学", "ended_on": ""}


def test_article_38_the_request_must_name_the_items(world, student):
    # Checked when the request is saved, not at the last approval; nothing is written.
    with pytest.raises(ValidationError) as info:
        request(world, student, [])
    assert [(e["code"], e["field"], e["article"]) for e in rule_errors(info.value)] == [
        ("field_required", "fields", "第三十八条")]
    assert not Case.objects.exists()


def test_article_38_only_releasable_items(world, student):
    assert "id_number" not in ALLOWED_FIELDS and "address" not in ALLOWED_FIELDS
    # An item outside the declared list is refused as entered (the form offers only the list).
    with pytest.raises(ValidationError) as info:
        request(world, student, ["name", "id_number", "address"])
    assert [(e["code"], e["field"], e["article"]) for e in rule_errors(info.value)] == [
        ("field_invalid", "fields", "第三十八条")]
    assert not Case.objects.exists()


def test_article_38_the_request_names_the_requester_and_the_purpose(world, student):
    with pytest.raises(ValidationError) as info:
        request(world, student, ["name"], requester=" ", purpose="")
    assert [e["code"] for e in rule_errors(info.value)] == ["data_release_requester", "data_release_purpose"]


def test_rejected_or_withdrawn_request_releases_nothing(world, student):
    case, submitter = request(world, student, ["name", "status"])
    before = registry_snapshot()
    case = case_submit(acting_user=submitter, case=case)
    case = case_reject(acting_user=world.approver_of_current_step(case), case=case, comment="用途不明确")
    assert case.state == CaseState.RETURNED and "extract" not in Case.objects.get(pk=case.pk).details
    case = case_submit(acting_user=submitter, case=case)
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == CaseState.WITHDRAWN and "extract" not in Case.objects.get(pk=case.pk).details
    assert registry_snapshot() == before
    assert not ArchiveEntry.objects.filter(kind="other").exists()
