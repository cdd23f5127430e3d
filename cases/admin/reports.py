"""Wagtail's workflow reports list every object's workflow of a model the user may change,
whatever its jurisdiction. For cases these scoped versions take their place (mounted before
the admin's own URLs in cms/urls.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView

from cases import access
from cases import models as m


def _cases_out_of_scope(request, prefix=""):
    """Q matching workflow states of cases the user may not see."""
    case_type = ContentType.objects.get_for_model(m.Case)
    visible = access.in_scope(request.user, m.Case).values_list("pk", flat=True)
    return Q(**{f"{prefix}content_type": case_type}) & ~Q(**{f"{prefix}object_id__in": [str(pk) for pk in visible]})


class ScopedWorkflowView(WorkflowView):
    def get_queryset(self):
        return super().get_queryset().exclude(_cases_out_of_scope(self.request))


class ScopedWorkflowTasksView(WorkflowTasksView):
    def get_queryset(self):
        return super().get_queryset().exclude(_cases_out_of_scope(self.request, "workflow_state__"))


class NamedAgingPagesView(AgingPagesView):
    """The aging-pages report names the last publisher as everywhere else in the admin (the real
    name, not the login name; 系统 when a script published), in one query for the page."""

    def decorate_paginated_queryset(self, queryset):
        from django.contrib.auth import get_user_model

        ids = {page.last_published_by for page in queryset if page.last_published_by}
        names = {user.pk: user.get_full_name() or user.get_username()
                 for user in get_user_model().objects.filter(pk__in=ids)}
        for page in queryset:
            page.last_published_by_user = names.get(page.last_published_by, "系统" if not page.last_published_by
                                                    else "已停用账号")
        return queryset

