"""The auxiliary-number ledger (学籍辅号, 第九、十条): issued, cancelled, never reused."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .jurisdictions import Jurisdiction
from .registrations import Registration
from .schools import School


class AuxiliaryNumberKind(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("普通高中")
    COMPULSORY = "compulsory", _("义务教育")


class AuxiliaryNumber(models.Model):
    # Unique over the whole ledger, cancelled rows included: a cancelled number is never reused.
    number = models.CharField(_("学籍辅号"), max_length=32)  # unique: Meta.constraints
    kind = models.CharField(_("类型"), max_length=12, choices=AuxiliaryNumberKind.choices)
    registration = models.ForeignKey(
        Registration, verbose_name=_("学籍"), on_delete=models.PROTECT, related_name="auxiliary_numbers"
    )
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("编排时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("编排人"),
        db_index=False,  # who, read from the number; never a look-up by user (users are never deleted)
    )
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    cancelled_reason = models.CharField(_("注销原因"), max_length=100, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("注销人"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("学籍辅号")
        verbose_name_plural = _("学籍辅号")
        ordering = ["-issued_at", "-id"]
        # A batch of 10,000 numbers writes every index 10,000 times: the number is unique as a
        # constraint (no LIKE twin, nothing searches a number by pattern; bulk.insert_new's
        # ON CONFLICT names it), and who issued or cancelled one is not indexed.
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(cancelled_at__isnull=True), name="one_live_auxiliary_number"
            ),
            models.UniqueConstraint(fields=["number"], name="auxiliary_number_unique"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_live(self):
        return self.cancelled_at is None


class SequenceCounter(models.Model):
    """Last sequence issued per number prefix (auxiliary numbers, J registry numbers); locked
    with SELECT … FOR UPDATE when issuing so concurrent issues never share a value."""

    prefix = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")


class AuxiliaryNumberTemplate(models.Model):
    """第十条: the compulsory-education format is set by each city or county.

    Placeholders: {year4} {year2} entry year; {city2} city digits; {county6} county code;
    {county1} the county's one-digit code; {school_code} the school's identification code;
    {school2} its two-digit code; {stage1} 1 primary / 2 junior / 9 special; {seq:N} the
    sequence, zero-padded to N digits (required, last).
    """

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="auxiliary_template"
    )
    pattern = models.CharField(_("编码规则"), max_length=100)

    class Meta:
        verbose_name = _("义务教育学籍辅号规则")
        verbose_name_plural = _("义务教育学籍辅号规则")

    def __str__(self):
        return f"{self.jurisdiction.name}:{self.pattern}"
