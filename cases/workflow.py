"""Approvals routed by jurisdiction, on Wagtail's workflow machinery.

Each case type has its own Wagtail workflow whose tasks are ``RegistryApprovalTask`` steps
(level × side). Who may act on a step is decided per case when the step starts: the school
of that side, or the registry authority of that side for the case's stage (第三、二十二条).
A step that does not apply to a case (a cross-province check of a local transfer) or whose
approver already approved an earlier step (both schools under one authority: "its two steps
are one") is skipped. Due dates are counted in working days (第二十五条).
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import BigIntegerField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from wagtail.models import TaskState, Workflow, WorkflowTask

from cases import models as m
from cases.access import profile_of
from cases.calendar import add_working_days
from cases.errors import RuleError

APPROVER_ROLES = {m.Role.REVIEWER, m.Role.HEAD}


# --- workflows in step with the code --------------------------------------------------------
def sync_case_workflows():
    """Create or update one workflow per case type from its declared steps (idempotent)."""
    from cases.case_types import CASE_TYPES

    for code, case_type in CASE_TYPES.items():
        tasks = []
        for step in case_type.steps:
            task = m.RegistryApprovalTask.objects.filter(
                level=step.level, side=step.side, working_days=step.working_days, name=step.label
            ).first() or m.RegistryApprovalTask.objects.create(
                level=step.level, side=step.side, working_days=step.working_days, name=step.label
            )
            tasks.append(task)
        link = m.CaseWorkflow.objects.filter(case_type=code).select_related("workflow").first()
        if link is None:
            workflow = Workflow.objects.create(name=f"学籍变动审批:{case_type.name}")
            m.CaseWorkflow.objects.create(case_type=code, workflow=workflow)
        else:
            workflow = link.workflow
        current = list(workflow.workflow_tasks.order_by("sort_order").values_list("task_id", flat=True))
        if current != [task.pk for task in tasks]:
            workflow.workflow_tasks.all().delete()
            WorkflowTask.objects.bulk_create(
                [WorkflowTask(workflow=workflow, task=task, sort_order=n) for n, task in enumerate(tasks)]
            )


def workflow_for(case_type):
    link = m.CaseWorkflow.objects.filter(case_type=case_type).select_related("workflow").first()
    return link.workflow if link and link.workflow.active else None


# --- who approves -----------------------------------------------------------------------------
def approver_for(task, case):
    """(unit code, school or None) that must act on ``task`` for ``case``."""
    school = case.school if task.side == m.ApprovalSide.ORIGIN else case.destination_school
    if task.level in (m.ApprovalLevel.EXAM_AUTHORITY, m.ApprovalLevel.PROVINCE):
        return case.school.county.code[:2], None
    if school is None:
        return "", None
    if task.level == m.ApprovalLevel.SCHOOL:
        return school.scope_code, school
    return school.authority_code(case.stage), None


def office_for(task):
    """第二十二条: the exam step is the provincial exam authority's, a unit of its own with its
    own staff; every other jurisdiction step is the registry authority's."""
    return m.Office.EXAM if task.level == m.ApprovalLevel.EXAM_AUTHORITY else m.Office.REGISTRY


def _case_of_state():
    return m.Case.objects.filter(pk=Cast(OuterRef("workflow_state__object_id"), BigIntegerField()))


def task_states_awaiting(user):
    """THE rule of who decides a step, as a queryset of the steps in progress ``user`` must
    decide; every door asks it (dashboard, filters, bulk decisions, the case page, GraphQL's
    awaitingMe and its filter, ``task_on_action``), through ``user_may_act`` for one step.

    A school step is decided by the school's staff other than the submitter (the head, in a
    school with one registrar); a school whose only active accounts opened or submitted the
    case has it decided by its supervising authority (registry reviewer or head); a school with
    no account at all hands its consent to no one. An authority step by the reviewers and heads
    of its unit and office. Never by the one who opened or submitted the case."""
    profile = profile_of(user)
    states = m.RegistryTaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
    if profile is None or not user.is_active:
        return states.none()
    states = states.exclude(workflow_state__requested_by=user).exclude(Exists(_case_of_state().filter(created_by=user)))
    if profile.school_id:
        return states.filter(approver_school_id=profile.school_id)
    if profile.role not in APPROVER_ROLES:
        return states.none()
    code = profile.jurisdiction.code
    own = Q(approver_code=code, approver_school__isnull=True, approver_office=profile.office)
    if profile.office != m.Office.REGISTRY:  # the exam authority decides its own steps only
        return states.filter(own)
    own |= Q(approver_code=code, approver_school__isnull=True, approver_office="")
    nobody = Value(0, output_field=BigIntegerField())
    staff = m.StaffProfile.objects.filter(school_id=OuterRef("approver_school_id"), user__is_active=True)
    others = (staff.exclude(user_id=Coalesce(OuterRef("workflow_state__requested_by_id"), nobody))
              .exclude(user_id=Coalesce(OuterRef("case_creator"), nobody)))
    handed = Q(approver_school__scope_code=code) & Exists(staff) & ~Exists(others)
    return (states.annotate(case_creator=Subquery(_case_of_state().values("created_by_id")[:1]))
            .filter(own | handed))


def user_may_act(state, user):
    """May ``user`` decide the step ``state`` (a RegistryTaskState)? Asks ``task_states_awaiting``
    (one query); a page of steps marked by ``mark_page`` asks it once per page and user."""
    if user is None or not user.is_authenticated:
        return False
    page = getattr(state, "_awaiting_page", None)
    if page is None:
        return task_states_awaiting(user).filter(pk=state.pk).exists()
    if user.pk not in page["by_user"]:
        page["by_user"][user.pk] = set(task_states_awaiting(user).filter(pk__in=page["pks"]).values_list("pk", flat=True))
    return state.pk in page["by_user"][user.pk]


def mark_page(states):
    """Let ``user_may_act`` answer for all of ``states`` (a page of steps) with one query."""
    page = {"pks": [s.pk for s in states], "by_user": {}}
    for state in states:
        state._awaiting_page = page


def current_step(case):
    workflow_state = case.current_workflow_state
    if not workflow_state or workflow_state.status != workflow_state.STATUS_IN_PROGRESS:
        return None
    state = workflow_state.current_task_state
    return m.RegistryTaskState.objects.filter(pk=state.pk).select_related("task").first() if state else None


def user_is_step_approver(task, case, user):
    state = current_step(case)
    return bool(state and state.task_id == task.pk and state.status == TaskState.STATUS_IN_PROGRESS
                and user_may_act(state, user))


def step_actions(task, case, user):
    if not user_is_step_approver(task, case, user):
        return []
    return [("reject", "退回修改", True), ("approve", "同意", False), ("approve", "同意并签署意见", True)]


def task_states_overdue(user, today=None):
    """Late steps, shown to the late unit and to every unit above it."""
    today = today or timezone.localdate()
    profile = profile_of(user)
    states = m.RegistryTaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS, due_on__lt=today)
    if user and user.is_superuser:
        return states
    if profile is None:
        return states.none()
    if profile.school_id:
        return states.filter(approver_school_id=profile.school_id)
    return states.filter(approver_code__startswith=profile.jurisdiction.code)


# --- approvals bound to what was approved ----------------------------------------------------
# Bookkeeping of the case, not its content: changing these never voids an approval.
NOT_CONTENT = {"id", "number", "state", "overrides", "scope_code", "destination_scope_code", "created_by",
               "created_at", "submitted_at", "decided_at", "registration", "live", "has_unpublished_changes",
               "first_published_at", "last_published_at", "live_revision", "latest_revision", "go_live_at",
               "expire_at", "expired", "locked", "locked_at", "locked_by", "latest_revision_created_at"}


def approved_content(case):
    """What a decision approves: every content field of the case (its sides' schools, the
    student, the type, the stage, the reason, dates, the type's own fields), by introspection,
    so a field added to Case (typed fields of a case type) is bound without touching this."""
    content = {}
    for field in case._meta.concrete_fields:
        if field.name not in NOT_CONTENT:
            content[field.attname] = getattr(case, field.attname)
    typed = getattr(case, "typed_content", None)  # typed fields kept outside the row, if any
    if callable(typed):
        content["typed"] = typed()
    return content


def content_digest(case):
    text = json.dumps(approved_content(case), sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def decided_steps(workflow_state):
    """The approvals of a run, in order."""
    return (m.RegistryTaskState.objects.filter(workflow_state=workflow_state, status=TaskState.STATUS_APPROVED)
            .select_related("task").order_by("started_at", "id"))


def stale_steps(case, workflow_state):
    """Decisions of the run that approved other content than the case's now. Every step depends
    on the whole content (an approver signs the document, not a field of it), so a change voids
    every decided step and the chain restarts from the first of them."""
    digest = content_digest(case)
    return [state for state in decided_steps(workflow_state) if state.content_digest != digest]


# --- the task's behaviour ------------------------------------------------------------------
def task_start(task, workflow_state, user):
    case = m.Case.objects.select_related("school__county", "destination_school__county").get(
        pk=workflow_state.object_id
    )
    code, school = approver_for(task, case)
    applies = any(s.level == task.level and s.side == task.side for s in case.case_type_class.approval_chain(case))
    # "When both schools answer to the same authority, its two steps are one" (第二十二条).
    already = m.RegistryTaskState.objects.filter(
        workflow_state=workflow_state, status=TaskState.STATUS_APPROVED, approver_code=code, approver_school=school,
        task__in=m.RegistryApprovalTask.objects.filter(level=task.level),
    ).exists()
    state = m.RegistryTaskState(
        workflow_state=workflow_state, task=task, revision=case.get_latest_revision(), approver_code=code,
        approver_school=school, approver_office=office_for(task),
        due_on=add_working_days(timezone.localdate(), task.working_days),
        status=TaskState.STATUS_IN_PROGRESS,
    )
    if not applies or already or not code:
        state.status = TaskState.STATUS_SKIPPED
        state.finished_at = timezone.now()
    state.save()
    return state


@transaction.atomic
def task_on_action(task, task_state, user, action_name, **kwargs):
    """The only way a step is decided; refuses anyone but the step's approver, including a
    POST straight to the admin's workflow URL."""
    state = m.RegistryTaskState.objects.select_for_update().select_related("workflow_state").get(pk=task_state.pk)
    case = m.Case.objects.get(pk=state.workflow_state.object_id)
    if state.status != TaskState.STATUS_IN_PROGRESS or not user_may_act(state, user):
        raise PermissionDenied
    comment = (kwargs.get("comment") or "").strip()
    if action_name == "approve":
        # The decision binds the content it saw (cases/services/cases.py restarts on change).
        state.content_digest = content_digest(case)
        state.approve(user=user, comment=comment)
    elif action_name == "reject":
        if not comment:
            raise RuleError("reject_comment_required", "退回时须填写意见", field="comment")
        state.reject(user=user, comment=comment)
        m.Case.objects.filter(pk=state.workflow_state.object_id).update(state=m.CaseState.RETURNED)
    else:
        raise PermissionDenied
    return None


def steps_of(case):
    """Every step of the case's current (or last) workflow run, for display."""
    workflow_state = case.workflow_states.order_by("-created_at").first()
    if workflow_state is None:
        return m.RegistryTaskState.objects.none()
    return (m.RegistryTaskState.objects.filter(workflow_state=workflow_state)
            .select_related("task", "finished_by", "approver_school").order_by("started_at", "id"))

