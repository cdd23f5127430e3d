"""Staff: every user belongs to one unit (a school or a jurisdiction) with a role (第三十六条)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .jurisdictions import Jurisdiction
from .schools import School


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("学籍管理员")
    REVIEWER = "reviewer", _("审核员")
    HEAD = "head", _("负责人")


class Office(models.TextChoices):
    """The kind of unit within a jurisdiction: its registry authority, or (province only) the
    exam authority that confirms proficiency-exam results (第二十二条)."""

    REGISTRY = "registry", _("学籍主管部门")
    EXAM = "exam", _("省级考试管理部门")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="staff_profile"
    )
    school = models.ForeignKey(
        School, verbose_name=_("所在学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所在教育行政部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    office = models.CharField(_("部门"), max_length=10, choices=Office.choices, default=Office.REGISTRY)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.REGISTRAR)
    is_formal_staff = models.BooleanField(_("正式工作人员"), default=True)
    trained_on = models.DateField(_("培训日期"), null=True, blank=True)
    filed_on = models.DateField(_("上级备案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("学籍工作人员")
        verbose_name_plural = _("学籍工作人员")
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False, jurisdiction__isnull=True) | Q(school__isnull=True, jurisdiction__isnull=False)),
                name="staff_belongs_to_one_unit",
            ),
            models.CheckConstraint(condition=Q(office="registry") | Q(jurisdiction__isnull=False),
                                   name="exam_office_is_a_jurisdiction_unit"),
        ]

    def __str__(self):
        return f"{self.unit} {self.get_role_display()} {self.user.get_full_name() or self.user.get_username()}"

    @property
    def unit(self):
        return self.school or self.jurisdiction

    @property
    def is_exam_authority(self):
        return self.office == Office.EXAM

    @property
    def unit_name(self):
        if self.is_exam_authority:
            return f"{self.jurisdiction.name}{Office.EXAM.label}"
        return str(self.unit)

    @property
    def unit_level(self):
        return "school" if self.school_id else self.jurisdiction.level
