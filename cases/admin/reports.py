"""Wagtail's workflow reports list every object's workflow of a model the user may change,
whatever its jurisdiction. For cases these scoped versions take their place (mounted before
the admin's own URLs in cms/urls.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.snippets.views.snippets import ModelIndexView, get_snippet_models_for_index_view

from cases import access
from cases import models as m
from cases.admin.keyset import COUNT_LIMIT, bounded_count, bounded_total


def _cases_out_of_scope(request, prefix=""):
    """Q matching workflow states of cases the user may not see: a subquery, not the province's
    case ids read into Python and sent back as parameters."""
    case_type = ContentType.objects.get_for_model(m.Case)
    if access.scope_of(request.user).everything:
        return Q(pk__in=[])  # sees every case: nothing to leave out
    visible = access.in_scope(request.user, m.Case).annotate(key=Cast("pk", CharField())).values("key")
    return Q(**{f"{prefix}content_type": case_type}) & ~Q(**{f"{prefix}object_id__in": visible})


class ScopedWorkflowView(WorkflowView):
    def get_queryset(self):
        return super().get_queryset().exclude(_cases_out_of_scope(self.request))


class ScopedWorkflowTasksView(WorkflowTasksView):
    def get_queryset(self):
        return super().get_queryset().exclude(_cases_out_of_scope(self.request, "workflow_state__"))


class ScopedLogEntriesView(LogEntriesView):
    """The site history links each entry to its object's edit view when the user may change it;
    Wagtail's URL finder asks that per row (a query each for cases: 50 a page). The page's
    registry objects are decided first, one query per model (``decide_instances``)."""

    def decorate_paginated_queryset(self, queryset):
        rows = list(queryset)
        registry = [row["pk"] for row in rows if self.log_models[row["log_model_index"]] is m.RegistryLogEntry]
        by_type = {}
        for type_id, object_id in m.RegistryLogEntry.objects.filter(pk__in=registry).values_list(
                "content_type_id", "object_id"):
            by_type.setdefault(type_id, set()).add(object_id)
        for type_id, object_ids in by_type.items():
            model = ContentType.objects.get_for_id(type_id).model_class()
            policy = access.POLICIES.get(model)
            if policy is not None:
                policy.decide_instances(self.request.user, ["change"], object_ids)
        return super().decorate_paginated_queryset(rows)


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
    the user may see (a school's own students, not the province's), each up to COUNT_LIMIT: the
    province's five million students are "10,000 以上", not a count of the whole registry."""

    def _get_snippet_types(self):
        types = []
        for model in get_snippet_models_for_index_view():
            url = self.get_list_url(model)
            if not url:
                continue
            if model in access.POLICIES:
                rows = access.visible(self.request.user, model)
            else:
                rows = model.snippet_viewset.permission_policy.instances_user_has_any_permission_for(
                    self.request.user, {"view"})
            if model is m.Student:  # its scope is an OR no index serves whole: counted part by part
                count = bounded_total([m.Student.objects.filter(part) for part in
                                       access.student_parts(self.request.user)], COUNT_LIMIT)
            else:
                count = bounded_count(rows, COUNT_LIMIT)
            types.append({"name": capfirst(model._meta.verbose_name_plural), "model": model, "url": url,
                          "count": count,
                          "count_label": f"{COUNT_LIMIT:,} 以上" if count > COUNT_LIMIT else f"{count:,}"})
        return types

    @cached_property
    def columns(self):
        return [TitleColumn("name", label=_("Name"), get_url=lambda type: type["url"], sort_key="name"),
                Column("count_label", label=_("Instances"), sort_key="count")]
