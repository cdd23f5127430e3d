"""The statistics cube (issue 12 §4 at province size): the open registrations counted per
school, stage, entry cohort (none: without a class) and status, with the counts of the student
attributes the reports break down by. Derived data, rebuilt whole by
``cases.services.statistics.statistics_refresh`` (the daily job, ``manage.py
statistics_refresh``, the end of ``seed_province``): the statistics pages read a few thousand
rows of it instead of aggregating five million registrations per view. The oversight reports'
registration-based checks (cases/oversight.py) are counted per school in the same snapshot
(``OversightCell``) for the pages of a city and of the province."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .schools import School


class StatisticsSnapshot(models.Model):
    taken_at = models.DateTimeField(_("统计时点"), db_index=True)
    seconds = models.FloatField(_("用时(秒)"))
    cells = models.PositiveIntegerField(_("汇总行数"))
    # None: taken before the oversight cells existed; oversight then counts live.
    oversight_cells = models.PositiveIntegerField(_("督查汇总行数"), null=True, blank=True)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["-taken_at", "-id"]


class StatisticsCell(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=12)
    cohort = models.PositiveSmallIntegerField(null=True)  # the class's cohort; none: without a class
    status = models.CharField(max_length=16)
    n = models.PositiveIntegerField()
    male = models.PositiveIntegerField()
    female = models.PositiveIntegerField()
    migrant = models.PositiveIntegerField()
    left_behind = models.PositiveIntegerField()
    disabled = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("统计汇总行")
        verbose_name_plural = _("统计汇总行")


class OversightCell(models.Model):
    """The open registrations of a school failing one registration-based oversight check
    (``cases.oversight.REGISTRATION_CHECKS``); a school without any has no row."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # Not ``check``: a field of that name would hide Model.check() (Django's system checks).
    check_key = models.CharField(max_length=32)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("督查汇总行")
        verbose_name_plural = _("督查汇总行")
