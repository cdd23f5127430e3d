"""Append-only history (issue 9, item 8), as the attack: rewrite an archive entry, a decided
case, the registry log or the read log — through the ORM, the admin (as a superuser) and, on
PostgreSQL, in SQL. Every attempt is refused and nothing changes; a correction is a new entry."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cases import models as m
from cases.appendonly import AppendOnlyError
from cases.services.archives import archive_entry_append
from cases.services.reads import student_reads_record
from tests.case_types.helpers import World, open_case, submit_and_approve_all
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}  # Wagtail answers a refusal with 403, not a redirect
ILLNESS = ["parent_application", "hospital_diagnosis", "medical_records", "medical_bills"]


@pytest.fixture
def pupil(db):
    school = SchoolFactory(category="0", name="城关区第三小学")
    school_class = SchoolClassFactory(school=school, stage="primary", cohort=2023, class_name="1班")
    return register_student(school_class=school_class, stage="primary", birth_date=datetime.date(2017, 5, 1))


@pytest.fixture
def entry(pupil):
    return m.ArchiveEntry.objects.filter(student=pupil.student).first()


@pytest.fixture
def decided_case(pupil):
    world = World()
    case, submitter = open_case(world, case_type="suspension", school=pupil.school, student=pupil.student,
                                effective_on=datetime.date(2026, 3, 2), end_on=datetime.date(2026, 7, 10),
                                reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS)
    case, _ = submit_and_approve_all(world, case, submitter)
    assert case.state == m.CaseState.APPROVED
    return case


def snapshot(model, pk):
    return model._base_manager.filter(pk=pk).values().get()


def test_the_orm_refuses_to_rewrite_or_delete_an_archive_entry(entry):
    before = snapshot(m.ArchiveEntry, entry.pk)
    entry.title = "改写后的标题"
    with pytest.raises(AppendOnlyError) as info:
        entry.save()
    assert info.value.code == "append_only" and "只能追加" in info.value.message
    for attempt in (entry.delete, lambda: m.ArchiveEntry.objects.filter(pk=entry.pk).update(title="改写"),
                    lambda: m.ArchiveEntry.objects.filter(pk=entry.pk).delete(),
                    lambda: m.ArchiveEntry.objects.bulk_update([entry], ["title"])):
        with pytest.raises(AppendOnlyError):
            attempt()
    assert snapshot(m.ArchiveEntry, entry.pk) == before


def test_a_correction_is_a_new_entry(pupil, entry):
    before = snapshot(m.ArchiveEntry, entry.pk)
    correction = archive_entry_append(acting_user=None, student=pupil.student, kind="other", title="更正",
                                      body="上一条的出生地有误", corrects=entry)
    assert correction.pk != entry.pk and correction.corrects_id == entry.pk
    assert snapshot(m.ArchiveEntry, entry.pk) == before


def test_the_orm_refuses_to_rewrite_the_logs(pupil):
    log_entry = m.RegistryLogEntry.objects.order_by("-id").first()
    user = get_user_model().objects.create_user("reader")
    student_reads_record(acting_user=user, students=[pupil.student], door=m.ReadDoor.ADMIN_STUDENT, what="学生详情")
    read = m.ReadLogEntry.objects.get()
    for row in (log_entry, read):
        model = type(row)
        before = snapshot(model, row.pk)
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).update(label="x") if model is m.RegistryLogEntry else \
                model.objects.filter(pk=row.pk).update(what="x")
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
        assert snapshot(model, row.pk) == before


def test_a_decided_case_cannot_be_rewritten_or_deleted(decided_case):
    before = snapshot(m.Case, decided_case.pk)
    decided_case.reason_text = "改写办结的案卷"
    with pytest.raises(AppendOnlyError):
        decided_case.save()
    with pytest.raises(AppendOnlyError):
        m.Case.objects.get(pk=decided_case.pk).delete()
    assert snapshot(m.Case, decided_case.pk) == before


def decided_history(case):
    """The rows of a case's history kept in Wagtail's tables and ours: {label: queryset}."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision, TaskState, WorkflowState

    content_type = ContentType.objects.get_for_model(m.Case)
    workflows = WorkflowState.objects.filter(base_content_type=content_type, object_id=str(case.pk))
    return {
        "revision": (Revision.objects.filter(base_content_type=content_type, object_id=str(case.pk)),
                     {"object_str": "改写"}),
        "workflow state": (workflows, {"status": "cancelled"}),
        "task state": (TaskState.objects.filter(workflow_state__in=workflows), {"status": "rejected"}),
        "approval step": (m.RegistryTaskState.objects.filter(workflow_state__in=workflows), {"approver_code": "99"}),
        "evidence": (m.Evidence.objects.filter(case=case), {"kind": "forged"}),
    }


def history_snapshot(case):
    return {label: sorted(map(str, queryset.values())) for label, (queryset, _) in decided_history(case).items()}


def test_the_orm_refuses_to_rewrite_a_decided_cases_history_on_any_database(decided_case):
    """Below the case row: its revisions, workflow state, approval steps and evidence. The
    application refuses on SQLite as on PostgreSQL (where the trigger refuses raw SQL too), for
    code running with every right (the ORM has no user to refuse)."""
    get_user_model().objects.create_superuser("root", "root@example.com", "x")
    before = history_snapshot(decided_case)
    assert all(before.values()), before  # every kind of row exists: the attack hits real rows
    for label, (queryset, change) in decided_history(decided_case).items():
        field, value = next(iter(change.items()))
        row = queryset.first()
        attempts = {
            "queryset update": lambda: queryset.update(**change),
            "queryset delete": lambda: queryset.delete(),
            "bulk_update": lambda: type(row).objects.bulk_update([row], [field]),
            "row delete": lambda: type(row).objects.get(pk=row.pk).delete(),
        }
        for how, attempt in attempts.items():
            with pytest.raises(AppendOnlyError) as info:
                attempt()
            assert info.value.code == "append_only", (label, how)
        stored = type(row).objects.get(pk=row.pk)
        setattr(stored, field, value)
        with pytest.raises(AppendOnlyError):
            stored.save()
        if hasattr(stored, "object_id"):  # repointed in memory first: the stored row still decides
            stored = type(row).objects.get(pk=row.pk)
            stored.object_id = "987654321"
            with pytest.raises(AppendOnlyError):
                stored.save()
    assert history_snapshot(decided_case) == before


def test_an_undecided_cases_history_still_moves(pupil):
    """The guard refuses only a decided case's rows: a case in review keeps its workflow moving
    (the decided case above went through every step under the same guards) and a withdrawn one
    is edited and resubmitted."""
    from cases.services.cases import case_submit, case_withdraw

    world = World()
    case, submitter = open_case(world, case_type="suspension", school=pupil.school, student=pupil.student,
                                effective_on=datetime.date(2026, 3, 2), end_on=datetime.date(2026, 7, 10),
                                reason="illness", details={"hospital_county_level": True}, evidence=ILLNESS)
    case = case_submit(acting_user=submitter, case=case)
    case = case_withdraw(acting_user=submitter, case=case)
    assert case.state == m.CaseState.WITHDRAWN
    history = decided_history(case)
    assert history["workflow state"][0].filter(status="cancelled").exists()
    assert history["evidence"][0].update(kind=history["evidence"][0].first().kind) == len(ILLNESS)


def test_a_superuser_cannot_edit_an_archive_entry_or_write_the_read_log_in_the_admin(client, entry):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    before = snapshot(m.ArchiveEntry, entry.pk)
    url = reverse("wagtailsnippets_cases_archiveentry:edit", args=[entry.pk])
    assert client.get(url, **XHR).status_code == 403
    assert client.post(url, {"title": "改写", "kind": entry.kind, "student": entry.student_id}, **XHR).status_code == 403
    assert snapshot(m.ArchiveEntry, entry.pk) == before
    assert client.get(reverse("wagtailsnippets_cases_readlogentry:add"), **XHR).status_code == 403
    assert client.post(reverse("wagtailsnippets_cases_readlogentry:add"), {"what": "伪造"}, **XHR).status_code == 403
    assert not m.ReadLogEntry.objects.filter(what="伪造").exists()


# --- below the application ------------------------------------------------------------------
def refused_in_sql(sql, params=()):
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert "append-only" in str(info.value)


@pytest.mark.postgres
def test_sql_cannot_rewrite_the_archive_the_logs_or_a_decided_case(pupil, entry, decided_case):
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's; SQLite relies on the application's guards")
    before = snapshot(m.ArchiveEntry, entry.pk)
    refused_in_sql("UPDATE cases_archiveentry SET title = %s WHERE id = %s", ["改写", entry.pk])
    refused_in_sql("DELETE FROM cases_archiveentry WHERE id = %s", [entry.pk])
    assert snapshot(m.ArchiveEntry, entry.pk) == before
    refused_in_sql("UPDATE cases_registrylogentry SET label = 'x'")
    refused_in_sql("DELETE FROM cases_registrylogentry")
    user = get_user_model().objects.create_user("reader")
    student_reads_record(acting_user=user, students=[pupil.student], door=m.ReadDoor.ADMIN_STUDENT)
    refused_in_sql("UPDATE cases_readlogentry SET what = 'x'")
    refused_in_sql("DELETE FROM cases_readlogentry")
    # the decided case and its history: row, revisions, workflow and approval records, evidence
    refused_in_sql("UPDATE cases_case SET reason_text = 'x' WHERE id = %s", [decided_case.pk])
    refused_in_sql("DELETE FROM cases_case WHERE id = %s", [decided_case.pk])
    refused_in_sql("UPDATE wagtailcore_revision SET object_str = 'x' WHERE object_id = %s AND base_content_type_id = "
                   "(SELECT id FROM django_content_type WHERE app_label = 'cases' AND model = 'case')",
                   [str(decided_case.pk)])
    refused_in_sql("UPDATE wagtailcore_workflowstate SET status = 'cancelled' WHERE object_id = %s",
                   [str(decided_case.pk)])
    refused_in_sql("UPDATE wagtailcore_taskstate SET status = 'rejected' WHERE workflow_state_id IN "
                   "(SELECT id FROM wagtailcore_workflowstate WHERE object_id = %s)", [str(decided_case.pk)])
    refused_in_sql("UPDATE cases_registrytaskstate SET approver_code = '99' WHERE taskstate_ptr_id IN "
                   "(SELECT t.id FROM wagtailcore_taskstate t JOIN wagtailcore_workflowstate w "
                   "ON w.id = t.workflow_state_id WHERE w.object_id = %s)", [str(decided_case.pk)])
    refused_in_sql("DELETE FROM cases_evidence WHERE case_id = %s", [decided_case.pk])


@pytest.mark.postgres
def test_sql_may_still_change_an_undecided_case(pupil):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL triggers")
    world = World()
    case, _ = open_case(world, case_type="suspension", school=pupil.school, student=pupil.student,
                        end_on=datetime.date(2026, 7, 10), reason="illness",
                        details={"hospital_county_level": True})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET reason_text = 'draft' WHERE id = %s", [case.pk])
    case.refresh_from_db()
    assert case.reason_text == "draft"


def test_a_superuser_posting_to_every_write_door_of_a_decided_case_changes_nothing(client, decided_case):
    """Every admin route of a case that writes (edit, delete, lock, unlock, unpublish, revert a
    revision, unschedule, workflow actions and cancellation, evidence, withdraw, override, decide),
    POSTed by a superuser on a decided case: refused (never a 500), the case and its history as
    they were."""
    from django.urls import NoReverseMatch
    from wagtail.models import Revision, TaskState

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    client.raise_request_exception = False
    before = (snapshot(m.Case, decided_case.pk), history_snapshot(decided_case))
    revision = Revision.objects.filter(object_id=str(decided_case.pk)).order_by("pk").first()
    step = TaskState.objects.filter(workflow_state__object_id=str(decided_case.pk)).order_by("pk").first()
    pk = decided_case.pk
    urls = []
    for name, kwargs in (("edit", {}), ("delete", {}), ("lock", {}), ("unlock", {}), ("unpublish", {}),
                         ("revisions_revert", {"revision_id": revision.pk}),
                         ("revisions_unschedule", {"revision_id": revision.pk}),
                         ("workflow_action", {"action_name": "approve", "task_state_id": step.pk}),
                         ("workflow_action", {"action_name": "reject", "task_state_id": step.pk}),
                         ("confirm_workflow_cancellation", {}), ("evidence", {}), ("decide", {}),
                         ("withdraw", {}), ("override", {})):
        try:
            urls.append(reverse(f"wagtailsnippets_cases_case:{name}", kwargs={"pk": pk, **kwargs}))
        except NoReverseMatch:
            pass
    for url in urls:
        response = client.post(url, {"reason_text": "改写", "comment": "改写", "action": "approve", "code": "x",
                                     "reason": "改写", "kind": "other"}, **XHR)
        assert response.status_code < 500, (url, response.status_code)
    assert (snapshot(m.Case, decided_case.pk), history_snapshot(decided_case)) == before
