"""Batch print jobs in the admin: read-only, with progress and a scoped download of the merged
PDF. Nobody adds, edits or deletes a job here (jobs are made by ``print_job_create``).

Who sees a job is decided by ``print_jobs_visible`` (its creator, or a user whose scope covers
every certificate's student): any URL naming another job answers 404, like a missing one.
"""

from django.contrib.admin.utils import unquote
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from cases import models as m
from cases.access import print_jobs_visible
from cases.services.reads import student_reads_record

from .display import RegistryInspectView

VIEW_PERMISSIONS = ("cases.view_printjob", "cases.view_certificate")


class PrintJobPermissionPolicy(ModelPermissionPolicy):
    """Viewing only: staff who may view certificates see the jobs of their scope."""

    def user_has_permission(self, user, action):
        if action != "view" or not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or any(user.has_perm(p) for p in VIEW_PERMISSIONS)

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" not in actions or not self.user_has_permission(user, "view"):
            return m.PrintJob.objects.none()
        return print_jobs_visible(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.instances_user_has_any_permission_for(user, actions).filter(pk=instance.pk).exists()


register_permission_policy(m.PrintJob, PrintJobPermissionPolicy(m.PrintJob))


class PrintJobGuardMixin:
    """Every view naming a job: 404 unless the user may see it."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                visible = print_jobs_visible(request.user).filter(pk=unquote(str(pk))).exists()
            except (ValueError, TypeError):
                visible = False
            if not visible:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


def print_job_pdf(request, pk):
    job = print_jobs_visible(request.user).filter(pk=pk).first()
    if job is None or job.status != m.PrintJobStatus.DONE or not job.pdf:
        raise Http404
    student_reads_record(acting_user=request.user, door=m.ReadDoor.PRINT_JOB, what=f"批量打印 {job.pk} 号",
                         students=m.Certificate.objects.filter(print_jobs=job).values_list("student_id", flat=True))
    response = FileResponse(job.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"print-job-{job.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response


def _progress(job):
    percent = int(job.done * 100 / job.total) if job.total else 0
    return f"{job.done}/{job.total}({percent}%)"


def _download(job):
    if job.status != m.PrintJobStatus.DONE or not job.pdf:
        return "—"
    return format_html('<a href="{}">下载合并文件</a>', reverse("wagtailsnippets_cases_printjob:pdf", args=[job.pk]))


class PrintJobViewSet(SnippetViewSet):
    model = m.PrintJob
    icon = "doc-full-inverse"
    menu_label = _("批量打印")
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        Column("created_at", label=_("提交时间"), accessor=lambda job: job.created_at.strftime("%Y-%m-%d %H:%M")),
        Column("status", label=_("状态"), accessor="get_status_display"),
        Column("progress", label=_("进度"), accessor=_progress),
        Column("created_by", label=_("提交人"),
               accessor=lambda job: (job.created_by.get_full_name() or job.created_by.get_username())
               if job.created_by_id else "—"),
        Column("finished_at", label=_("完成时间")),
        Column("download", label=_("合并文件"), accessor=_download),
    ]
    list_filter = ["status"]
    inspect_view_fields = ["status", "total", "done", "created_by", "created_at", "finished_at", "error"]
    inspect_template_name = "cases/admin/print_job_inspect.html"
    inspect_view_class = RegistryInspectView  # progress, refreshed while it runs
    list_per_page = 50

    def construct_view(self, view_class, **kwargs):
        guarded = type(f"Guarded{view_class.__name__}", (PrintJobGuardMixin, view_class), {})
        return super().construct_view(guarded, **kwargs)

    def get_queryset(self, request):
        return print_jobs_visible(request.user).select_related("created_by")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("<int:pk>/pdf/", print_job_pdf, name="pdf")]
