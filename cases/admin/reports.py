"""Wagtail's workflow reports list every object's workflow of a model the user may change,
whatever its jurisdiction. For cases these scoped versions take their place (mounted before
the admin's own URLs in cms/urls.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.snippets.views.snippets import ModelIndexView

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


class ScopedModelIndexView(ModelIndexView):
    """Wagtail's index of record types (片段) counts every row of each type; here it counts what
    the user may see (a school's own students, not the province's)."""

    def _get_snippet_types(self):
        types = super()._get_snippet_types()
        for item in types:
            model = item["model"]
            if model in access.POLICIES:
                item["count"] = access.visible(self.request.user, model).count()
            else:
                item["count"] = model.snippet_viewset.permission_policy.instances_user_has_any_permission_for(
                    self.request.user, {"view"}).count()
        return types

