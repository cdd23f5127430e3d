"""The read log (第三十八条: who looked at which student's record, when, through which door).

One row per student read, written by ``cases.services.reads.student_reads_record`` in one
INSERT per request (a listing of 100 students is one statement of 100 rows), append-only and
hash-chained like the registry log. Each row records the supervising code of the student's
school at the time, so the log is scoped like everything else: the authorities above review
the reads of the students they supervise.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import ChainedModel, ChainedQuerySet


class ReadDoor(models.TextChoices):
    ADMIN_STUDENT = "admin_student", _("管理后台·学生详情")
    ADMIN_LIST = "admin_list", _("管理后台·学生列表")
    ADMIN_ARCHIVE = "admin_archive", _("管理后台·档案")
    GRAPHQL = "graphql", _("数据接口·学生")
    GRAPHQL_ARCHIVE = "graphql_archive", _("数据接口·档案")
    CERTIFICATE_PDF = "certificate_pdf", _("证书证明 PDF")
    STUDENT_CARD_PDF = "student_card_pdf", _("学籍卡 PDF")
    PRINT_JOB = "print_job", _("批量打印")
    EXPORT = "export", _("导出")
    DOCUMENT = "document", _("证明材料、档案文件下载")
    CASE_PDF = "case_pdf", _("案卷 PDF")


class ReadLogEntry(ChainedModel):
    at = models.DateTimeField(_("查阅时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(_("查阅人账号"), max_length=150, blank=True)
    door = models.CharField(_("途径"), max_length=20, choices=ReadDoor.choices)
    what = models.CharField(_("查阅内容"), max_length=200, blank=True)
    # No constraint in the database: its check at commit takes a share lock on each student row
    # read, under the chain's lock; a reader then waits for any case approval holding the
    # student (SELECT … FOR UPDATE), and every other reader waits behind it. Students are never
    # deleted (their registrations' constraints and PROTECT keep them).
    student = models.ForeignKey("cases.Student", verbose_name=_("学生"), on_delete=models.PROTECT,
                                related_name="+", db_index=False, db_constraint=False)
    # The supervising code of the student's school at the time: what scopes the review. (Nine
    # columns: a page of 100 reads stays one INSERT even under SQLite's 999-parameter limit.)
    scope_code = models.CharField(_("主管单位代码"), max_length=12, blank=True)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        verbose_name = _("学籍查阅记录")
        verbose_name_plural = _("学籍查阅记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["student", "-at"], name="readlog_student_at"),
            models.Index(fields=["scope_code", "-at"], name="readlog_scope_at"),
        ]

    def __str__(self):
        # A person by name (the login only when the account is gone): staff read no login names.
        who = (self.user.get_full_name() if self.user_id else "") or self.username
        return f"{who} {self.get_door_display()} {self.what}"
