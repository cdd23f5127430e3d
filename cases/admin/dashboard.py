"""The dashboard's queues: what waits for me, what I submitted, incoming transfers, returned
cases, late steps, students without a class. Each row names the student, the school, the step
and the working days left (or late). The same few queries whatever the number of cases and
whichever queues hold some: the two queues of steps are a query each and share one read of
their cases; the three queues of cases are one query (a window per queue) and one for their
steps; one calendar read serves every queue."""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import BooleanField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail.admin.ui.components import Component
from wagtail.models import TaskState

from cases import access
from cases import models as m
from cases.calendar import is_working_day, overrides_between
from cases.workflow import task_states_awaiting, task_states_overdue

ROWS = 50
# Wagtail's own panels: moderation lists that query per object, and page panels that matter
# only to the editors of the public pages (superusers).
STOCK_PANELS = {"WorkflowObjectsToModeratePanel", "UserObjectsInWorkflowModerationPanel", "RecentEditsPanel",
                "LockedPagesPanel", "WhatsNewInWagtailVersionPanel"}
PAGE_PANELS = {"RecentEditsPanel", "LockedPagesPanel"}


@dataclass
class Row:
    case: m.Case
    step: m.RegistryTaskState | None


def _working_days(start, end, overrides):
    step = 1 if end >= start else -1
    day, count = start, 0
    while day != end:
        day += datetime.timedelta(days=step)
        if is_working_day(day, overrides):
            count += 1
    return count


class Calendar:
    """One read of the calendar overrides for every due date on the page."""

    def __init__(self, rows, today):
        self.today = today
        days = [r.step.due_on for r in rows if r.step and r.step.due_on] + [today]
        self.overrides = overrides_between(min(days), max(days))

    def left(self, due_on):
        if due_on is None:
            return "—"
        if due_on >= self.today:
            return f"剩余 {_working_days(self.today, due_on, self.overrides)} 个工作日"
        return format_html("<strong class='w-text-critical-200'>逾期 {} 个工作日</strong>",
                           _working_days(due_on, self.today, self.overrides))


def steps_of(states):
    """The first ROWS steps of a queue of steps, soonest due first (one query)."""
    return list(states.select_related("task", "workflow_state").order_by("due_on", "id")[:ROWS])


def rows_from_steps(steps, cases):
    """Rows for steps, with their cases from ``cases`` ({id: case}, read once for every queue of steps)."""
    rows = [(int(s.workflow_state.object_id), s) for s in steps]
    return [Row(cases[pk], s) for pk, s in rows if pk in cases]


def cases_of_steps(*queues):
    ids = {int(s.workflow_state.object_id) for steps in queues for s in steps}
    return m.Case.objects.select_related("student", "school", "destination_school").in_bulk(ids) if ids else {}


def rows_of_case_queues(queues):
    """Rows of queues of cases ({name: Q}), each its first ROWS cases newest submitted first, in two
    queries whatever their number: the cases of any queue, numbered within each queue they are in
    (a window per queue; a case may be in two), then the current steps of those kept."""
    order = [F("submitted_at").desc(), F("id").desc()]
    annotations, kept = {}, Q()
    for i, condition in enumerate(queues.values()):
        inside = ExpressionWrapper(condition, output_field=BooleanField())
        annotations[f"in_{i}"] = inside
        annotations[f"place_{i}"] = Window(RowNumber(), partition_by=[inside], order_by=order)
        kept |= Q(**{f"in_{i}": True, f"place_{i}__lte": ROWS})
    cases = list(m.Case.objects.filter(reduce(operator.or_, queues.values()))
                 .select_related("student", "school", "destination_school")
                 .annotate(**annotations).filter(kept).order_by(*order))
    steps = {}
    if cases:
        for state in m.RegistryTaskState.objects.filter(
                status=TaskState.STATUS_IN_PROGRESS, workflow_state__object_id__in=[str(c.pk) for c in cases],
                workflow_state__base_content_type__app_label="cases",
                workflow_state__base_content_type__model="case").select_related("task", "workflow_state"):
            steps[int(state.workflow_state.object_id)] = state
    return {name: [Row(c, steps.get(c.pk)) for c in cases if getattr(c, f"in_{i}") and getattr(c, f"place_{i}") <= ROWS]
            for i, name in enumerate(queues)}


class QueuePanel(Component):
    def __init__(self, name, title, rows, order, empty="无"):
        self.name, self.title, self.rows, self.order, self.empty = name, title, rows, order, empty
        self.calendar = None

    def render_html(self, parent_context=None):
        calendar = self.calendar or Calendar(self.rows, timezone.localdate())
        rows = format_html_join("", "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                    "<td>{}</td></tr>", (
            (reverse("wagtailsnippets_cases_case:edit", args=[r.case.pk]), r.case.number, r.case.type_name,
             r.case.subject_label,
             r.case.school.name + (f" → {r.case.destination_school.name}" if r.case.destination_school_id else ""),
             r.step.task.name if r.step else r.case.get_state_display(),
             calendar.left(r.step.due_on) if r.step else "—")
            for r in self.rows))
        if not rows:
            rows = format_html("<tr><td colspan='6'>{}</td></tr>", self.empty)
        return format_html(
            "<section class='w-mb-8' data-panel='{}'><h2 class='w-h2'>{}</h2><table class='listing'><thead><tr>"
            "<th>案卷</th><th>类型</th><th>学生</th><th>学校</th><th>当前步骤</th><th>办理期限</th></tr></thead>"
            "<tbody>{}</tbody></table></section>", self.name, self.title, rows)


class UnplacedPanel(Component):
    """在籍未分班: the school's students without a class (a transfer-in or a new pupil)."""

    name = "unplaced"
    order = 65

    def __init__(self, registrations, more):
        self.registrations, self.more = registrations, more

    def render_html(self, parent_context=None):
        rows = format_html_join("", "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (reverse("wagtailsnippets_cases_student:inspect", args=[r.student_id]), r.student.name,
             r.student.registry_number, r.get_stage_display(), r.get_status_display())
            for r in self.registrations))
        if not rows:
            rows = mark_safe("<tr><td colspan='4'>无</td></tr>")
        link = reverse("wagtailsnippets_cases_student:list") + "?without_class=1"
        return format_html(
            "<section class='w-mb-8' data-panel='unplaced'><h2 class='w-h2'>在籍未分班的学生</h2>"
            "<p>请在学生列表中选中学生后点击“分班”。<a href='{}'>查看全部未分班学生{}</a></p>"
            "<table class='listing'><thead><tr><th>学生</th><th>学籍号</th><th>学段</th><th>学籍状态</th></tr></thead>"
            "<tbody>{}</tbody></table></section>", link, "(更多)" if self.more else "", rows)


def queue_panels(user):
    profile = access.profile_of(user)
    today = timezone.localdate()
    awaiting, overdue = steps_of(task_states_awaiting(user)), steps_of(task_states_overdue(user, today))
    cases = cases_of_steps(awaiting, overdue)
    panels = [
        QueuePanel("awaiting", "待我审批的学籍变动", rows_from_steps(awaiting, cases), 50),
        QueuePanel("overdue", "逾期未办(本单位及下级)", rows_from_steps(overdue, cases), 60),
    ]
    if profile is not None:
        if profile.school_id:
            mine = Q(school_id=profile.school_id)
            incoming = Q(destination_school_id=profile.school_id)
            submitted, arriving = "本校提交的学籍变动(审批中)", "转入本校的学籍变动"
        else:
            submitted, arriving = "我提交的学籍变动(审批中)", "转入本地的学籍变动"
            mine = Q(created_by=user)
            incoming = Q(destination_scope_code__startswith=profile.jurisdiction.code) & ~Q(
                scope_code__startswith=profile.jurisdiction.code)
        queues = rows_of_case_queues({"submitted": mine & Q(state=m.CaseState.IN_REVIEW),
                                      "returned": mine & Q(state=m.CaseState.RETURNED),
                                      "incoming": incoming & Q(state=m.CaseState.IN_REVIEW)})
        panels += [
            QueuePanel("submitted", submitted, queues["submitted"], 52),
            QueuePanel("returned", "退回修改的学籍变动", queues["returned"], 51),
            QueuePanel("incoming", arriving, queues["incoming"], 53),
        ]
        if profile.school_id:
            unplaced = list(m.Registration.objects.open().filter(school_id=profile.school_id,
                                                                 school_class__isnull=True)
                            .select_related("student").order_by("started_on", "id")[:ROWS + 1])
            panels.append(UnplacedPanel(unplaced[:ROWS], len(unplaced) > ROWS))
    queues = [p for p in panels if isinstance(p, QueuePanel)]
    calendar = Calendar([r for p in queues for r in p.rows], today)
    for panel in queues:
        panel.calendar = calendar
    return panels
