"""Schools and the registry authority each one answers to (第三条)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .jurisdictions import Jurisdiction, Level


class Stage(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("普通高中")
    VOCATIONAL = "vocational", _("中职")
    SPECIAL = "special", _("特殊教育")


# Years of schooling per stage: a class's grade runs from 1 to this (第十六条 promotion).
STAGE_YEARS = {
    Stage.PRIMARY: 6,
    Stage.JUNIOR: 3,
    Stage.SENIOR: 3,
    Stage.VOCATIONAL: 3,
    Stage.SPECIAL: 9,
}
COMPULSORY_STAGES = frozenset({Stage.PRIMARY, Stage.JUNIOR, Stage.SPECIAL})
HIGH_SCHOOL_STAGES = frozenset({Stage.SENIOR, Stage.VOCATIONAL})


class SchoolCategory(models.TextChoices):
    """The 0–7 school categories of the legacy number (source, part 三), plus special education."""

    PRIMARY = "0", _("小学")
    JUNIOR = "1", _("初中")
    NINE_YEAR = "2", _("九年一贯制学校")
    TWELVE_YEAR = "3", _("十二年一贯制学校")
    COMPLETE_SECONDARY = "4", _("完全中学")
    SENIOR = "5", _("普通高中")
    VOCATIONAL = "6", _("职业高中")
    VOCATIONAL_AND_SENIOR = "7", _("职普高并存学校")
    SPECIAL = "S", _("特殊教育学校")


CATEGORY_STAGES = {
    SchoolCategory.PRIMARY: [Stage.PRIMARY],
    SchoolCategory.JUNIOR: [Stage.JUNIOR],
    SchoolCategory.NINE_YEAR: [Stage.PRIMARY, Stage.JUNIOR],
    SchoolCategory.TWELVE_YEAR: [Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR],
    SchoolCategory.COMPLETE_SECONDARY: [Stage.JUNIOR, Stage.SENIOR],
    SchoolCategory.SENIOR: [Stage.SENIOR],
    SchoolCategory.VOCATIONAL: [Stage.VOCATIONAL],
    SchoolCategory.VOCATIONAL_AND_SENIOR: [Stage.SENIOR, Stage.VOCATIONAL],
    SchoolCategory.SPECIAL: [Stage.SPECIAL],
}


class Supervision(models.TextChoices):
    COUNTY = "county", _("县(区)属")
    CITY = "city", _("市教育局直属")
    PROVINCE = "province", _("省教育厅直属")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class StageSetField(models.CharField):
    """A set of stages stored as ",primary,junior," so that ``stages__contains=",junior,"``
    filters on every database without an array type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value or []
        return [item for item in value.split(",") if item]

    def get_prep_value(self, value):
        if isinstance(value, str):
            # A lookup operand like ",junior," passes through unchanged.
            return value
        order = list(Stage.values)
        return "," + ",".join(sorted(set(value or []), key=order.index)) + ","

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        unknown = set(value or []) - set(Stage.values)
        if unknown:
            raise ValidationError(_("未知学段:%(stages)s"), params={"stages": ",".join(unknown)})
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=Stage.choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )


class SchoolQuerySet(models.QuerySet):
    def offering(self, stage):
        return self.filter(stages__contains=f",{stage},")


class School(models.Model):
    code = models.CharField(_("学校标识码"), max_length=10, unique=True)
    name = models.CharField(_("学校名称"), max_length=100, db_index=True)
    county = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所在县(市、区)"),
        on_delete=models.PROTECT,
        related_name="schools",
        limit_choices_to={"level": Level.COUNTY},
    )
    township = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所在乡镇(街道)"),
        on_delete=models.PROTECT,
        related_name="township_schools",
        null=True,
        blank=True,
        limit_choices_to={"level": Level.TOWNSHIP},
    )
    category = models.CharField(_("学校类别"), max_length=1, choices=SchoolCategory.choices)
    stages = StageSetField(_("学段"))
    ownership = models.CharField(
        _("办学性质"), max_length=8, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    supervision = models.CharField(
        _("隶属关系"), max_length=8, choices=Supervision.choices, default=Supervision.COUNTY
    )
    # 第十条: the two-digit school code of the high-school auxiliary number.
    auxiliary_code = models.CharField(
        _("学籍辅号学校码"), max_length=2, blank=True, help_text=_("普通高中学籍辅号中的2位学校码(第十条)")
    )
    # The code of the unit that supervises the school: county code for county schools, city
    # code for schools under a city bureau, province code for province-direct schools. Access
    # scope is a prefix match on it, so a county never reaches a city-bureau school.
    scope_code = models.CharField(_("主管单位代码"), max_length=12, db_index=True, editable=False)
    is_closed = models.BooleanField(_("已撤并"), default=False)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def supervising_code(self):
        county_code = self.county.code
        if self.supervision == Supervision.PROVINCE:
            return county_code[:2]
        if self.supervision == Supervision.CITY:
            return county_code[:4]
        return county_code

    def save(self, *args, **kwargs):
        # Derived, not a business rule: keeps the indexed scope column in step with the county.
        self.scope_code = self.supervising_code()
        super().save(*args, **kwargs)

    def offers(self, stage):
        return stage in self.stages

    @property
    def is_special_education(self):
        return self.category == SchoolCategory.SPECIAL

    def authority_code(self, stage):
        """The registry authority of this school's students of ``stage`` (第三条).

        Province-direct schools → province; schools under a city bureau and all general
        (and vocational) high-school students → city; compulsory education → county.
        """
        if self.supervision == Supervision.PROVINCE:
            return self.county.code[:2]
        if self.supervision == Supervision.CITY or stage in HIGH_SCHOOL_STAGES:
            return self.county.code[:4]
        return self.county.code

    def authority(self, stage):
        return Jurisdiction.objects.get(code=self.authority_code(stage))
