"""The case workflows and their steps are derived from the code: ``sync_case_workflows`` builds
them from each case type's ``steps`` after every migrate (cases/workflow.py). Wagtail's workflow
admin still lists them, read-only: editing, disabling or enabling a case workflow or one of its
registry steps, creating a registry step by hand, or choosing one into another workflow is
refused to everyone, the superuser included, and changes nothing. (A disabled case workflow
would stop every submission of its type; an edited step would route approvals against 第三条.)

The refusing routes are generated from Wagtail's own URL list and mounted before the admin's
(cms/urls.py), like the document guard (cases/documents.py)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect

REFUSAL = "学籍变动的审批流程及其步骤由系统按办理规定(第三、二十二条)生成,不能在此修改、停用或新建"
# Wagtail's route name → (the URL argument naming the object, "workflow" or "task").
GUARDED = {"edit": ("pk", "workflow"), "disable": ("pk", "workflow"), "enable": ("pk", "workflow"),
           "edit_task": ("pk", "task"), "disable_task": ("pk", "task"), "enable_task": ("pk", "task"),
           "add_task": ("model_name", "task type"), "task_chosen": ("task_id", "task")}


def is_derived(kind, value):
    from cases import models as m

    if kind == "workflow":
        return m.CaseWorkflow.objects.filter(workflow_id=value).exists()
    if kind == "task":
        return m.RegistryApprovalTask.objects.filter(pk=value).exists()
    return str(value).lower() == m.RegistryApprovalTask._meta.model_name


def refuse_derived(view, name):
    kwarg, kind = GUARDED[name]

    def wrapped(request, *args, **kwargs):
        if not is_derived(kind, kwargs.get(kwarg)):
            return view(request, *args, **kwargs)
        if name == "task_chosen":  # the chooser's pick: a registry step is not on offer
            raise Http404
        messages.error(request, REFUSAL)
        return redirect("wagtailadmin_workflows:task_index" if kind != "workflow" else "wagtailadmin_workflows:index")

    return wrapped


def derived_workflow_urls(prefix="admin/workflows/"):
    """Wagtail's workflow routes that change a workflow or a task, wrapped by ``refuse_derived``."""
    from django.urls import path
    from wagtail.admin.auth import require_admin_access
    from wagtail.admin.urls import workflows

    routes = []
    for pattern in workflows.urlpatterns:
        if pattern.name in GUARDED:
            view = require_admin_access(refuse_derived(pattern.callback, pattern.name))
            view.wagtail_view_name = f"{workflows.app_name}:{pattern.name}"  # the route it stands in for
            routes.append(path(prefix + str(pattern.pattern), view))
    return routes


def hide_registry_tasks():
    """No registry step among the task types offered for a new task, and none accepted into a
    workflow's list of tasks by a form (a posted id is 'not a valid choice'); CasesConfig.ready."""
    import wagtail.workflows
    from wagtail.models import WorkflowTask

    from cases.models import RegistryApprovalTask

    wagtail.workflows.TASK_TYPES = [t for t in wagtail.workflows.get_task_types()
                                    if not issubclass(t, RegistryApprovalTask)]
    WorkflowTask._meta.get_field("task").remote_field.limit_choices_to = ~Q(
        content_type__app_label=RegistryApprovalTask._meta.app_label,
        content_type__model=RegistryApprovalTask._meta.model_name)
