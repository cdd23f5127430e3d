"""定时任务 in the admin: each run with its period, status, outcome and what it changed; the
province approves the promotion's dry run and may undo it within a month."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet

from cases import access
from cases import models as m
from cases.errors import rule_errors
from cases.services.jobs import job_approve, promotion_undo


def runs_visible(user):
    """Runs concern the whole province: shown to authority staff and superusers, not schools."""
    return access.job_runs_visible(user)


class JobRunPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        # Whether runs exist yet or not: an empty list is a list (the menu offers it).
        scope = access.scope_of(user)
        return action == "view" and bool(scope.everything or scope.code)

    def instances_user_has_any_permission_for(self, user, actions):
        return runs_visible(user) if "view" in actions else m.JobRun.objects.none()

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and runs_visible(user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return "view" in actions and runs_visible(user).filter(pk=instance.pk).exists()


register_permission_policy(m.JobRun, JobRunPermissionPolicy(m.JobRun))


def changes_visible(user, run):
    """What a run changed, as ``user`` may read it. A run spans the province, but the students it
    names belong to their schools: a county or city reads the notices and hand-overs of the
    schools in its scope only, and a student's G registry number (the ID number) whole only if it
    holds the student (cases/access.py). A named student without a school id (a run recorded
    before ids were kept) is left out for everyone but the province."""
    changes = dict(run.changes or {})
    scope = access.scope_of(user)
    if scope.everything or scope.code == settings.XUEJI_PROVINCE_CODE:
        return changes
    items = [*changes.get("notices", []), *(i for group in changes.get("handed_over", {}).values() for i in group)]
    schools = set(m.School.objects.filter(Q(pk__in={i.get("school_id") for i in items if i.get("school_id")})
                                          & scope.schools()).values_list("pk", flat=True)) if items else set()
    held = access.students_held(user, [i["student_id"] for i in items if i.get("student_id")])

    def shown(item):
        if item.get("school_id") not in schools:
            return None
        item = dict(item)
        if "registry_number" in item and item.get("student_id") not in held:
            item["registry_number"] = access.mask("registry_number", item["registry_number"])
        return item

    if "notices" in changes:
        changes["notices"] = [i for i in map(shown, changes["notices"]) if i]
    if "handed_over" in changes:
        changes["handed_over"] = {county: kept for county, group in changes["handed_over"].items()
                                  if (kept := [i for i in map(shown, group) if i])}
    return changes


class JobRunInspectView(InspectView):
    def get_changes_display_value(self):
        return changes_visible(self.request.user, self.object)


class JobRunGuardMixin:
    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None and not runs_visible(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _post(request, pk, action, done):
    run = runs_visible(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    try:
        action(acting_user=request.user, run=run)
        messages.success(request, done)
    except PermissionDenied:
        messages.error(request, "只有省级学籍主管部门可以批准或撤销年度升级")
    except ValidationError as error:
        for item in rule_errors(error):
            messages.error(request, f"{item['message']}({item['article']})" if item["article"] else item["message"])
    return redirect("wagtailsnippets_cases_jobrun:inspect", pk)


@require_POST
def approve_view(request, pk):
    return _post(request, pk, job_approve, "已批准,年度升级已排队执行")


@require_POST
def undo_view(request, pk):
    return _post(request, pk, promotion_undo, "已撤销本学年的年度升级")


class JobRunViewSet(SnippetViewSet):
    model = m.JobRun
    icon = "time"
    menu_label = _("定时任务")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_template_name = "cases/admin/jobrun_inspect.html"
    inspect_view_class = JobRunInspectView
    list_display = [Column("job", label=_("任务"), accessor=str), "status", "created_at", "finished_at",
                    Column("outcome", label=_("执行结果"))]
    list_filter = ["job", "status"]
    list_per_page = 50
    inspect_view_fields = ["job", "period", "status", "preview", "outcome", "changes", "created_at", "started_at",
                           "finished_at", "approved_by", "undone_at", "undone_by"]

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(type(view_class.__name__, (JobRunGuardMixin, view_class), {}), **kwargs)

    def get_queryset(self, request):
        return runs_visible(request.user)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/approve/", approve_view, name="approve"),
            path("<int:pk>/undo/", undo_view, name="undo"),
        ]
