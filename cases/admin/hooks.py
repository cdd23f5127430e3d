"""Admin hooks of the case machinery: private evidence, the dashboard's queues (dashboard.py)."""

from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.admin.ui.components import Component

from cases import access
from cases import models as m
from cases.calendar import chinese_date
from .dashboard import PAGE_PANELS, STOCK_PANELS, queue_panels


@hooks.register("before_serve_document")
def serve_evidence_only_through_its_case(document, request):
    """Evidence and archive documents are served only through their case or archive entry
    (``graphql_document``, which checks the case's or the student's scope): Wagtail's stock
    serve URL answers the 404 of a missing file, to everyone."""
    from cases.documents import is_private

    if is_private(document):
        raise Http404


@hooks.register("construct_homepage_panels")
def add_case_queues(request, panels):
    # Wagtail's stock moderation panels query per object and speak of pages: ours replace them.
    panels[:] = [p for p in panels if type(p).__name__ not in STOCK_PANELS or request.user.is_superuser
                 and type(p).__name__ in PAGE_PANELS]
    panels.extend(queue_panels(request.user))


class OverdueSuspensionsPanel(Component):
    """第三十一条: suspensions past their end with no resumption, for the school to chase and
    for the authorities above it to see."""

    name = "overdue_suspensions"
    order = 70

    def __init__(self, registrations):
        self.registrations = registrations

    def render_html(self, parent_context=None):
        rows = format_html_join(
            "", "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td></tr>",
            ((reverse("wagtailsnippets_cases_student:inspect", args=[r.student_id]), r.student.name, r.school.name,
              chinese_date(r.suspended_until)) for r in self.registrations),
        )
        if not rows:
            rows = mark_safe("<tr><td colspan='3'>无</td></tr>")
        return format_html(
            "<section class='w-mb-8' data-panel='overdue-suspensions'><h2 class='w-h2'>休学期满未复学(第三十一条)</h2>"
            "<table class='listing'><thead><tr><th>学生</th><th>学校</th><th>休学截止</th></tr></thead>"
            "<tbody>{}</tbody></table></section>", rows,
        )


def overdue_suspensions(user, today=None, limit=50):
    """The first ``limit`` suspensions past their end in the user's scope, oldest end first; then
    only those rows are read (a province holds ten thousand overdue ones). Their ids come from a
    partial index of the suspended alone: for the province in order of their end (the first
    ``limit`` of the whole registry), for a unit on PostgreSQL school by school (its own few
    hundred, not the province's list walked until ``limit`` of its own turn up)."""
    today = today or timezone.localdate()
    suspended = m.RegistrationStatus.SUSPENDED
    schools = access.unit_schools(user)
    if schools is not None and connection.vendor == "postgresql":
        sql, params = schools.values_list("id").query.sql_with_params()
        overdue = RawSQL(
            f"SELECT r.id FROM ({sql}) s CROSS JOIN LATERAL (SELECT id, suspended_until FROM {m.Registration._meta.db_table} "
            "WHERE school_id = s.id AND status = %s AND suspended_until < %s ORDER BY suspended_until, id LIMIT %s) r "
            "ORDER BY r.suspended_until, r.id LIMIT %s", (*params, suspended, today, limit, limit))
    else:
        overdue = (access.in_scope(user, m.Registration).filter(status=suspended, suspended_until__lt=today)
                   .order_by("suspended_until", "id").values("pk")[:limit])
    return (m.Registration.objects.filter(pk__in=overdue).select_related("student", "school")
            .order_by("suspended_until", "id"))



@hooks.register("construct_homepage_panels")
def add_overdue_suspensions(request, panels):
    panels.append(OverdueSuspensionsPanel(list(overdue_suspensions(request.user))))
