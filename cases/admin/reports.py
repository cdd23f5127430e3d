"""Wagtail's workflow reports list every object's workflow of a model the user may change,
whatever its jurisdiction. For cases these scoped versions take their place (mounted before
the admin's own URLs in cms/urls.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
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
