"""Excel intake of a registration case (第八、十一条), its duplicate decisions (第十一条), and the
log of exports (read like any other read of the registry)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import Case
from .students import Student


class IntakeStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("校验中")
    REFUSED = "refused", _("有错误,未导入")
    PENDING = "pending", _("待查重裁定")
    READY = "ready", _("校验通过,待导入")
    APPLIED = "applied", _("已导入案卷")
    FAILED = "failed", _("处理失败")


class IntakeUpload(models.Model):
    """One uploaded workbook for a registration case. ``rows`` keeps every row's outcome
    ({row, status, errors, person, matches}); nothing reaches the case until every row is either
    accepted or refused by the registrar's decision."""

    case = models.ForeignKey(Case, verbose_name=_("案卷"), on_delete=models.PROTECT, related_name="intake_uploads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # Not under MEDIA_URL's public serving in production: downloaded through a scoped view only.
    file = models.FileField(_("上传文件"), upload_to="intake/%Y/")
    result = models.FileField(_("校验结果"), upload_to="intake-results/%Y/", blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=IntakeStatus.choices, default=IntakeStatus.QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已校验"), default=0)
    refused = models.PositiveIntegerField(_("错误行数"), default=0)
    pending = models.PositiveIntegerField(_("待裁定行数"), default=0)
    rows = models.JSONField(_("逐行结果"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("新生名单导入")
        verbose_name_plural = _("新生名单导入")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.case.number} 导入 {self.created_at:%Y-%m-%d %H:%M}"


class Verdict(models.TextChoices):
    SAME = "same", _("同一人(不予新建学籍)")
    DIFFERENT = "different", _("不同人(准予建籍)")


class DuplicateDecision(models.Model):
    """The registrar's decision on a suspected duplicate (第十一条): a new person against an
    existing student with the same pinyin, gender and birth date. Append-only; the authority
    above the school reads them (``scope_code``)."""

    case = models.ForeignKey(Case, verbose_name=_("案卷"), on_delete=models.PROTECT, related_name="duplicate_decisions")
    upload = models.ForeignKey(IntakeUpload, verbose_name=_("导入"), on_delete=models.PROTECT,
                               related_name="decisions")
    row = models.PositiveIntegerField(_("行号"))
    person_key = models.CharField(_("新生标识"), max_length=250)  # pinyin|gender|birth date
    name = models.CharField(_("新生姓名"), max_length=50)
    existing = models.ForeignKey(Student, verbose_name=_("已有学生"), on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("裁定"), max_length=10, choices=Verdict.choices)
    reason = models.CharField(_("理由"), max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("裁定时间"), auto_now_add=True)
    scope_code = models.CharField(max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("查重裁定")
        verbose_name_plural = _("查重裁定")
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "person_key", "existing"], name="one_decision_per_match")]

    def __str__(self):
        return f"{self.name} / {self.existing.name}:{self.get_verdict_display()}"


class ExportLog(models.Model):
    """Every export (list, roster, statistics) is a read of the registry: who, what, how many."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), null=True,
                             on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("导出内容"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    rows = models.PositiveIntegerField(_("行数"))
    scope_code = models.CharField(_("单位代码"), max_length=12, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-exported_at", "-id"]
