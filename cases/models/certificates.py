"""Certificates and forms printed from the registry (证书、证明), and their print log.

A certificate is a record, not a file: the PDF is rendered from it on every (re)print, and
every print is logged (CertificatePrint). The serial comes from a database sequence per kind
and year; the check code ties the serial to the student, so the public verification page
can tell a genuine paper from an altered one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Case
from .registrations import Registration
from .schools import School
from .students import Student


class CertificateKind(models.TextChoices):
    TRANSFER = "transfer_certificate", _("甘肃省中小学生转学证明")
    SUSPENSION = "suspension_certificate", _("休学证明")
    STUDENT_CARD = "student_card", _("学生证")
    DIPLOMA = "diploma", _("毕业证书")
    COMPLETION = "completion_certificate", _("结业证书")
    QUALIFICATION = "qualification_certificate", _("合格证书")
    COMPULSORY_COMPLETION = "compulsory_completion_certificate", _("义务教育完成证书")
    GRADUATION_ATTESTATION = "graduation_attestation", _("毕业证明书")
    ARCHIVE_DOSSIER = "archive_dossier", _("学籍档案")


class RevokeKind(models.TextChoices):
    """Why a certificate was voided (第三十五条): only one issued in error may be replaced."""

    LOST = "lost", _("遗失")
    DAMAGED = "damaged", _("损毁")
    ERROR = "error", _("错发(信息错误)")
    OTHER = "other", _("其他")


class Certificate(models.Model):
    kind = models.CharField(_("类别"), max_length=40, choices=CertificateKind.choices, db_index=True)
    serial = models.CharField(_("编号"), max_length=24, unique=True, editable=False)
    # Stored, not recomputed: a later L→G change of the registry number must not invalidate
    # a paper already in someone's hands.
    check_code = models.CharField(_("校验码"), max_length=8, editable=False)
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="certificates")
    registration = models.ForeignKey(Registration, verbose_name=_("学籍"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="certificates")
    case = models.ForeignKey(Case, verbose_name=_("所属案卷"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="certificates")
    # The school at issue time: shown by the verification page, and the scope of the audit entry.
    school = models.ForeignKey(School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    revoke_kind = models.CharField(_("作废类别"), max_length=10, choices=RevokeKind.choices, blank=True)
    # 第三十五条: a certificate revoked as issued in error is replaced once, by the province.
    replaces = models.OneToOneField("self", verbose_name=_("替换的证书"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    replacement_reason = models.CharField(_("换发原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证书证明")
        verbose_name_plural = _("证书证明")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class CertificatePrint(models.Model):
    """One row per (re)print: who printed which certificate when."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="prints")
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("打印人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    printed_at = models.DateTimeField(_("打印时间"), auto_now_add=True)
    # A batch print logs each certificate once, however often its job is resumed.
    print_job = models.ForeignKey("cases.PrintJob", verbose_name=_("批量打印任务"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="prints")

    class Meta:
        verbose_name = _("证书打印记录")
        verbose_name_plural = _("证书打印记录")
        constraints = [models.UniqueConstraint(fields=["print_job", "certificate"], name="one_print_per_job_item",
                                               condition=models.Q(print_job__isnull=False))]
        ordering = ["printed_at", "id"]


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("打印中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PrintJob(models.Model):
    """A batch print (a graduation roll): rendered in the background into one merged PDF, with
    progress the admin can poll. Each page still goes through the print log."""

    certificates = models.ManyToManyField(Certificate, verbose_name=_("证书"), related_name="print_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=8, choices=PrintJobStatus.choices, default=PrintJobStatus.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    # Not under MEDIA_URL's public serving in production: download through a scoped view only.
    pdf = models.FileField(_("合并文件"), upload_to="print-jobs/%Y/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The lease of the worker running the job: renewed with every page. A running job whose
    # heartbeat is older than XUEJI_PRINT_JOB_LEASE_SECONDS lost its worker and is resumed (or,
    # after XUEJI_PRINT_JOB_MAX_ATTEMPTS, failed with what was done): cases/services/print_jobs.py.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0, editable=False)

    class Meta:
        verbose_name = _("批量打印任务")
        verbose_name_plural = _("批量打印任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"批量打印任务 {self.pk}({self.total} 份)"
