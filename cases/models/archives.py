"""The archive (学籍档案, 第十二~十四条): append-only, follows the student across schools."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.appendonly import AppendOnlyModel, AppendOnlyQuerySet

from .schools import School
from .students import Student


class ArchiveEntryKind(models.TextChoices):
    """The kinds of 第十二条."""

    BASE_DATA = "base_data", _("基本信息及变动")
    EVIDENCE = "evidence", _("学籍变动证明材料")
    QUALITY = "quality", _("综合素质评价报告")
    HEALTH = "health", _("体质健康及卫生健康")
    AWARD = "award", _("奖惩记录")
    AID = "aid", _("资助信息")
    OTHER = "other", _("其他材料")


class ArchiveEntry(AppendOnlyModel):
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="archive_entries")
    school = models.ForeignKey(
        School, verbose_name=_("记录学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=ArchiveEntryKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # A correction is a new entry pointing at what it corrects: nothing is rewritten.
    corrects = models.ForeignKey(
        "self", verbose_name=_("更正对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("所属案卷"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="archive_entries")
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("文件"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )  # PROTECT, not SET_NULL: deleting the user would rewrite the entry (deactivate users instead)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("档案条目")
        verbose_name_plural = _("档案条目")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.title
