"""Scheduled jobs (第十六、三十一、三十二条): one row per job and period, so a job runs once per
period however often the scheduler wakes (the unique constraint is the lock)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting", _("待审批(预演)")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    UNDONE = "undone", _("已撤销")


class JobRun(models.Model):
    job = models.CharField(_("任务"), max_length=40)
    period = models.CharField(_("周期"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    preview = models.JSONField(_("预演结果"), default=dict, blank=True)
    outcome = models.TextField(_("执行结果"), blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period")]

    def __str__(self):
        from cases.jobs import JOBS

        return f"{JOBS[self.job].name if self.job in JOBS else self.job} {self.period}"
