"""Students: one person, one registry number, for life (第九条)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from .jurisdictions import Jurisdiction

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族",
    "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "其他", "外国血统",
]


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HouseholdType(models.TextChoices):
    AGRICULTURAL = "agricultural", _("农业户口")
    NON_AGRICULTURAL = "non_agricultural", _("非农业户口")
    RESIDENT = "resident", _("居民户口")
    NONE = "none", _("无户籍")
    OVERSEAS = "overseas", _("港澳台及外籍")


class Disability(models.TextChoices):
    NONE = "", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


# What a search page needs from its matches before it fetches them: the keyset key and the
# columns of every scope filter (cases/access.py: scope_code, current_school).
SEARCH_KEYS = ["registry_number", "scope_code", "current_school"]


class Student(ClusterableModel):
    registry_number = models.CharField(_("学籍号"), max_length=19)  # unique: Meta.constraints
    # NULL, not "", for students without an ID number, so the unique index ignores them.
    id_number = models.CharField(_("公民身份号码"), max_length=18, null=True, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    # Normalised (cases/identity.py) before it is stored; its pinyin can be six letters a character.
    name_pinyin = models.CharField(_("姓名拼音"), max_length=300, editable=False)
    # First letters of the name's pinyin (张伟 → zw): staff search by initials.
    name_initials = models.CharField(_("姓名首字母"), max_length=50, editable=False, default="")
    former_names = models.CharField(_("曾用名"), max_length=200, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(
        _("民族"), max_length=10, choices=[(e, e) for e in ETHNICITIES], default="汉族"
    )
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    household_type = models.CharField(
        _("户口性质"), max_length=20, choices=HouseholdType.choices, default=HouseholdType.AGRICULTURAL
    )
    household_county = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("户籍所在县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="household_students",
        db_index=False,  # read from the student, never looked up by county
    )
    household_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    is_migrant = models.BooleanField(_("进城务工人员随迁子女"), default=False)
    is_left_behind = models.BooleanField(_("留守儿童"), default=False)
    disability = models.CharField(
        _("残疾类型"), max_length=20, choices=Disability.choices, blank=True, default=""
    )
    # The paper archive's holder: sealed and carried to the destination on transfer (第二十四条).
    paper_archive_school = models.ForeignKey(
        "cases.School", verbose_name=_("纸质档案保管学校"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,  # read from the student only
    )
    created_at = models.DateTimeField(_("建籍时间"), auto_now_add=True)
    # The current registration (the open one, else the latest closed one) and, copied from its
    # school, the school and supervising code: kept by the registration services in the same
    # transaction (cases/services/current.py), so lists and scope filters read one row per
    # student through indexes instead of a subquery per row.
    current_registration = models.ForeignKey(
        "cases.Registration", verbose_name=_("当前学籍"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+", db_index=False,  # followed from the student only
    )
    current_school = models.ForeignKey(
        "cases.School", verbose_name=_("当前学校"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
    )
    scope_code = models.CharField(_("当前主管单位代码"), max_length=12, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["registry_number"]
        # Every index is written by every intake of five million (issue 13): none without a
        # reader. The numbers are unique as constraints, not ``unique=True``, which on
        # PostgreSQL adds a LIKE (pattern-ops) twin that nothing reads: a number prefix is a
        # range of the unique index (cases/search.py).
        constraints = [
            models.UniqueConstraint(fields=["registry_number"], name="student_registry_number_unique"),
            models.UniqueConstraint(fields=["id_number"], name="student_id_number_unique"),
        ]
        indexes = [
            models.Index(fields=["name_pinyin", "gender", "birth_date"]),
            # Scoped lists in registry-number order straight from an index (keyset pages).
            models.Index(fields=["scope_code", "registry_number"], name="student_scope_number"),
            models.Index(fields=["current_school", "registry_number"], name="student_school_number"),
            # Prefix search (LIKE 'q%') on PostgreSQL needs the pattern operator class whatever
            # the collation; other databases ignore opclasses. The indexes also carry the key and
            # the scope columns (INCLUDE, PostgreSQL only): a page of a search reads its keys from
            # the index alone (an index-only scan however many match, cases/admin/keyset.py) and
            # fetches only the rows it shows — "liyan" matches ten thousand pupils of a province.
            models.Index(fields=["name"], opclasses=["varchar_pattern_ops"], name="student_name_prefix_keys",
                         include=SEARCH_KEYS),
            models.Index(fields=["name_pinyin"], opclasses=["varchar_pattern_ops"], name="student_pinyin_prefix_keys",
                         include=SEARCH_KEYS),
            models.Index(fields=["name_initials"], opclasses=["varchar_pattern_ops"],
                         name="student_initials_prefix_keys", include=SEARCH_KEYS),
        ]

    def __init__(self, *args, **kwargs):
        if kwargs:  # possibly child objects (guardians) to assign, as modelcluster takes them
            super().__init__(*args, **kwargs)
        else:  # a row read from the database: values only, so skip modelcluster's scan of the
            # model's relations, which it makes for every instance (every row of every page)
            super(ClusterableModel, self).__init__(*args)

    def __str__(self):
        # Every generic door (listings, choosers, related fields, history labels) shows this, and
        # most know no viewer: a G number ("G" + the ID number) is masked unless a door that
        # knows its viewer marked the student whole for the holder (cases.access.personal_view).
        from cases.access import mask

        whole = getattr(self, "_xueji_personal_whole", False)
        return f"{self.name}({self.registry_number if whole else mask('registry_number', self.registry_number)})"

    @property
    def is_temporary_number(self):
        return self.registry_number.startswith("L")


class Guardian(models.Model):
    student = ParentalKey(Student, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")

    def __str__(self):
        return f"{self.relation} {self.name}"


class RegistryNumberChange(models.Model):
    """History of a student's registry number (L → G keeps the temporary one here)."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="number_changes")
    old_number = models.CharField(_("原学籍号"), max_length=19, unique=True)
    new_number = models.CharField(_("新学籍号"), max_length=19)
    reason = models.CharField(_("原因"), max_length=200)
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )

    class Meta:
        verbose_name = _("学籍号变更")
        verbose_name_plural = _("学籍号变更")
        ordering = ["changed_at"]
