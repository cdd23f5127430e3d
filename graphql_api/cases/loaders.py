"""Batch loads for a page of cases: workflow steps (with their approver units) and history,
in a constant number of queries; one case's fallback uses the same code."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from cases import access
from cases import models as m
from cases.workflow import mark_page


def case_ct():
    return ContentType.objects.get_for_model(m.Case)


def of_visible_case(info, object_id="workflow_state__object_id"):
    """Q: the row's workflow is of a case the caller reads. Asked of each row's own case (its key
    from the workflow's text ``object_id``, every case's being digits), so checking a page of
    steps probes a page of cases, not the set of every case the caller reads (for the province,
    all of them: 55 ms at 160,000 cases)."""
    case = Cast(OuterRef(object_id), BigIntegerField())
    return Q(Exists(access.visible(info.context.user, m.Case).filter(pk=case)))


def steps(case):
    if not hasattr(case, "_gql_steps"):
        load_steps([case])
    return case._gql_steps, case._gql_comments


def load_steps(cases):
    """Steps of each case's latest workflow run and the commented steps of every run: 2 queries."""
    states = list(
        m.RegistryTaskState.objects.filter(workflow_state__base_content_type=case_ct(),
                                           workflow_state__object_id__in=[str(c.pk) for c in cases])
        .select_related("workflow_state", "task__registryapprovaltask", "finished_by", "approver_school")
        .order_by("workflow_state__created_at", "workflow_state_id", "started_at", "id")
    )
    codes = {s.approver_code for s in states if s.approver_code and not s.approver_school_id}
    units = {j.code: j for j in m.Jurisdiction.objects.filter(code__in=codes)} if codes else {}
    # awaitingMe of the page's steps in progress: one query per page (cases/workflow.py).
    mark_page([s for s in states if s.status == s.STATUS_IN_PROGRESS])
    by_case = defaultdict(list)
    for state in states:
        state._gql_jurisdiction = units.get(state.approver_code)
        by_case[state.workflow_state.object_id].append(state)
    for case in cases:
        runs = by_case.get(str(case.pk), [])
        latest = runs[-1].workflow_state_id if runs else None
        case._gql_steps = [s for s in runs if s.workflow_state_id == latest]
        case._gql_comments = [s for s in runs if (s.comment or "").strip()]


def load_history(cases, info):
    entries = access.audit_entries_visible(
        info.context.user,
        m.RegistryLogEntry.objects.filter(content_type=case_ct(), object_id__in=[str(c.pk) for c in cases]),
    ).select_related("user").order_by("timestamp", "id")
    by_case = defaultdict(list)
    for entry in entries:
        by_case[entry.object_id].append(entry)
    for case in cases:
        case._gql_history = by_case.get(str(case.pk), [])
