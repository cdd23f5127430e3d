"""The public status lookup's log (第三十八条: who looked at what is recorded).

The ID number is never stored in clear: only a keyed hash, enough to count lookups per
person and to answer "was this child looked up" without keeping the number itself.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LookupOutcome(models.TextChoices):
    FOUND = "found", _("查到")
    NOT_FOUND = "not_found", _("未查到或姓名不符")
    LIMITED = "limited", _("超过频次限制")


class LookupLog(models.Model):
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, db_index=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=LookupOutcome.choices)
    at = models.DateTimeField(_("查询时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("学籍查询记录")
        verbose_name_plural = _("学籍查询记录")
        ordering = ["-at", "-id"]
