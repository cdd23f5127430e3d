"""Classes and registrations: a student's status at a school, with its full history."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .schools import STAGE_YEARS, School, Stage
from .students import Student


def school_year_of(day: datetime.date) -> int:
    """The school year a day belongs to, named by the calendar year it starts in (September)."""
    return day.year if day.month >= 9 else day.year - 1


class SchoolClass(models.Model):
    """A cohort's class. Grade is derived from the cohort and the school year, so yearly
    promotion (第十六条) never touches student rows."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="classes")
    stage = models.CharField(_("学段"), max_length=12, choices=Stage.choices)
    cohort = models.PositiveSmallIntegerField(_("入学年份"))
    class_name = models.CharField(_("班级"), max_length=20)
    # The school year up to which the class has been promoted; set per class, yearly.
    promoted_through = models.PositiveSmallIntegerField(_("已升级至学年"), null=True, blank=True)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["school", "stage", "-cohort", "class_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "stage", "cohort", "class_name"], name="unique_class_per_cohort",
                violation_error_message=_("该学校同一入学年份已有同名班级"),  # as the services say it
            )
        ]

    def __str__(self):
        return f"{self.get_stage_display()}{self.cohort}级{self.class_name}"

    @property
    def years(self):
        return STAGE_YEARS[self.stage]

    @property
    def graduation_year(self):
        """届别: the calendar year the cohort is due to graduate."""
        return self.cohort + self.years

    def grade(self, on=None):
        """Grade within the stage (1 = first year) on a day; None before entry, and
        ``years + 1`` once the cohort has passed its last year."""
        on = on or timezone.localdate()
        grade = school_year_of(on) - self.cohort + 1
        if grade < 1:
            return None
        return min(grade, self.years + 1)

    def grade_label(self, on=None):
        grade = self.grade(on)
        if grade is None:
            return "未入学"
        if grade > self.years:
            return "已届满"
        offset = 6 if self.stage == Stage.JUNIOR else 0
        names = "一二三四五六七八九"
        label = names[grade + offset - 1] + "年级"
        return ("高" + names[grade - 1]) if self.stage in (Stage.SENIOR, Stage.VOCATIONAL) else label


class ClassPromotion(models.Model):
    """One row per class per school year: the record of the yearly promotion (第十六条)."""

    # No index of its own: the unique (class, year) index below leads with the class, and the
    # yearly INSERT of a whole province's classes then maintains two indexes instead of three.
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="promotions", db_index=False)
    school_year = models.PositiveSmallIntegerField(_("学年"))
    grade = models.PositiveSmallIntegerField(_("升入年级"))
    promoted_at = models.DateTimeField(_("升级时间"), auto_now_add=True)
    # An undone promotion (within its first month) is voided, never deleted.
    voided_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度升级记录")
        verbose_name_plural = _("年度升级记录")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "school_year"], condition=Q(voided_at__isnull=True),
                                    name="one_promotion_per_year")
        ]


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("在籍在读")
    SUSPENDED = "suspended", _("休学")
    DROPPED_OUT = "dropped_out", _("辍学")
    ABROAD = "abroad", _("出境就读")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    WITHDRAWN = "withdrawn", _("退学")
    EXPELLED = "expelled", _("除名")
    GRADUATED = "graduated", _("毕业")
    COMPLETED = "completed", _("结业")
    DECEASED = "deceased", _("死亡注销")


# A registration is open while the school still keeps it: a dropout keeps it for the
# compulsory years (第三十二条), a suspended or abroad student keeps it too (第二十八、十九条).
OPEN_STATUSES = (
    RegistrationStatus.ACTIVE,
    RegistrationStatus.SUSPENDED,
    RegistrationStatus.DROPPED_OUT,
    RegistrationStatus.ABROAD,
)


class RegistrationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Registration(models.Model):
    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="registrations")
    # No index of its own: (school, status) in Meta leads with it.
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="registrations",
                               db_index=False)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="registrations", null=True, blank=True
    )
    stage = models.CharField(_("学段"), max_length=12, choices=Stage.choices)
    status = models.CharField(
        _("学籍状态"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE, db_index=True
    )
    started_on = models.DateField(_("入学(转入)日期"))
    ended_on = models.DateField(_("离校日期"), null=True, blank=True)
    suspended_until = models.DateField(_("休学截止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    # The student's current registration is at a school of another supervising unit (its
    # scope_code differs from this school's). Kept by cases/services/current.py with the
    # student's scope; a unit's former students (第十四条, cases.access.former_registrations)
    # are then a short index range instead of every closed registration of its schools.
    student_elsewhere = models.BooleanField(default=False, editable=False)
    # While student_elsewhere, copies of this school's supervising code and of the student's
    # registry number (kept with the flag): a unit's former students are one range of
    # ``registration_former_keys`` by code, no join to its schools, and a county reads their
    # keys in registry-number order without visiting a thousand student rows for each page of
    # its list (graphql_api/core/nodes.py). NULL otherwise.
    former_scope_code = models.CharField(max_length=12, null=True, blank=True, editable=False)
    former_registry_number = models.CharField(max_length=19, null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        ordering = ["-started_on", "-id"]
        constraints = [
            # 第九条: one person, one registration at a time.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_registration_per_student",
            )
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            # The dashboard's overdue suspensions (第三十一条): a short ordered range, not a scan;
            # with the school and the id in the index, a unit's first fifty are found without
            # reading the province's ten thousand rows (cases/admin/hooks.py).
            models.Index(fields=["suspended_until"], condition=Q(status="suspended"), include=["school", "id"],
                         name="registration_suspended_keys"),
            # …and a unit's, school by school (cases/admin/hooks.overdue_suspensions).
            models.Index(fields=["school", "suspended_until", "id"], condition=Q(status="suspended"),
                         name="registration_suspended_school"),
            models.Index(fields=["former_scope_code", "former_registry_number", "student"],
                         condition=Q(student_elsewhere=True), name="registration_former_keys"),
        ]

    def __str__(self):
        return f"{self.student.name} @ {self.school.name}({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def grade_label(self, on=None):
        return self.school_class.grade_label(on) if self.school_class_id else ""


class RegistrationEvent(models.Model):
    """Append-only history of a registration's status."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="events")
    status_from = models.CharField(_("原状态"), max_length=16, choices=RegistrationStatus.choices, blank=True)
    status_to = models.CharField(_("新状态"), max_length=16, choices=RegistrationStatus.choices)
    occurred_on = models.DateField(_("发生日期"))
    reason = models.CharField(_("事由"), max_length=200)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, verbose_name=_("操作人"), related_name="+",
        db_index=False,  # who, read from the event; never a look-up by user (users are never deleted)
    )

    class Meta:
        verbose_name = _("学籍变动记录")
        verbose_name_plural = _("学籍变动记录")
        ordering = ["recorded_at", "id"]
