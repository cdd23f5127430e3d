"""The jurisdiction tree: province → city → county → township (GB/T 2260).

GB/T 2260 codes are hierarchical by prefix (62 → 6201 → 620102 → 620102001), so "everything
below a jurisdiction" is a prefix match on an indexed column: no recursive query, no tree table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市(州)")
    COUNTY = "county", _("县(市、区)")
    TOWNSHIP = "township", _("乡镇(街道)")


CODE_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9}


class JurisdictionQuerySet(models.QuerySet):
    def below(self, code):
        """The jurisdiction of ``code`` and everything below it."""
        return self.filter(code__startswith=code)


class Jurisdiction(models.Model):
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # 第十条: the high-school auxiliary number carries a one-digit county code, assigned by
    # the city; the city's two digits are the middle of its GB/T 2260 code.
    auxiliary_code = models.CharField(
        _("学籍辅号县码"),
        max_length=1,
        blank=True,
        help_text=_("普通高中学籍辅号中的1位县码(第十条),由市级学籍主管部门分配"),
    )

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        names = [a.name for a in self.ancestors()] + [self.name]
        return "".join(names)

    def ancestors(self):
        """Ancestors from the top down, found by the code's prefixes (one query)."""
        prefixes = [self.code[:n] for n in (2, 4, 6) if n < len(self.code)]
        return list(Jurisdiction.objects.filter(code__in=prefixes).order_by("code"))

    @property
    def province_code(self):
        return self.code[:2]

    @property
    def city_code(self):
        return self.code[:4] if len(self.code) >= 4 else None

    @property
    def county_code(self):
        return self.code[:6] if len(self.code) >= 6 else None
