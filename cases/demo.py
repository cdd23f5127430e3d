"""A demo province for ``manage.py seed_demo``.

Two halves:

* ``plan(seed, students)`` decides everything (schools, classes, people, status changes, staff)
  from a seed and the project's own division lists. It reads no database and writes nothing, so
  the same seed always gives the same plan, and tests can compare plans.
* ``build(plan, password=…)`` writes the plan through the services, the only writers of
  registry data, inside one transaction.

Every random choice comes from ``random.Random`` seeded with the seed and the name of the part
of the plan, so the schools do not change when only the number of students does.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from cases.demo_cases import demo_registrar, seed_day
from cases.numbers.id_number import make_id_number, validate_id_number
from cases.services.divisions import read_divisions_csv

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA_DIR / "gansu-divisions.csv"
TOWNSHIPS_CSV = DATA_DIR / "gansu-townships.csv"

DEFAULT_PASSWORD = "xueji-demo-2026"
DEFAULT_STUDENTS = 20_000
DEFAULT_SEED = 2026
MIN_STUDENTS = 100
REGISTRAR_SCHOOLS = 50
DEMO_COUNTY = "620102"  # 兰州市城关区: the county of the logins table

# Stage values and their years, as plain strings (the plan is plain data).
STAGE_ORDER = ("primary", "junior", "senior", "vocational", "special")
YEARS = {"primary": 6, "junior": 3, "senior": 3, "vocational": 3, "special": 9}
# Age on 1 September of the entry year.
ENTRY_AGE = {"primary": 6, "junior": 12, "senior": 15, "vocational": 15, "special": 6}
CATEGORY_STAGES = {
    "0": ("primary",),
    "1": ("junior",),
    "2": ("primary", "junior"),
    "3": ("primary", "junior", "senior"),
    "4": ("junior", "senior"),
    "5": ("senior",),
    "6": ("vocational",),
    "7": ("senior", "vocational"),
    "S": ("special",),
}
COMPULSORY = {"primary", "junior", "special"}

# Shares of the students (each at least MIN_EVENTS).
SHARE_GRADUATED = 0.02
SHARE_TRANSFERRED = 0.015
SHARE_SUSPENDED = 0.01
SHARE_DROPPED_OUT = 0.0075
SHARE_WITHOUT_ID = 0.004  # registered with a J number (第九条)
MIN_EVENTS = 3

# ID numbers carry the area code of the household register. Two of Gansu's county codes are
# not in GB 11643's tables: 兰州新区 (a functional zone: its people are registered in 永登 and
# 皋兰) and 嘉峪关 (a city without districts: its numbers start 620200).
ID_AREAS = {"620171": ("620121", "620122"), "620201": ("620200",)}


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSchool:
    code: str
    name: str
    county: str
    township: str
    category: str
    ownership: str  # public | private
    supervision: str  # county | city | province
    auxiliary_code: str
    classes_per_grade: int
    size: float  # relative number of students per class

    @property
    def stages(self):
        return CATEGORY_STAGES[self.category]


@dataclass(frozen=True)
class PlannedClass:
    school: str
    stage: str
    cohort: int
    class_name: str

    @property
    def key(self):
        return (self.school, self.stage, self.cohort, self.class_name)


@dataclass(frozen=True)
class PlannedGuardian:
    name: str
    relation: str
    phone: str
    id_number: str


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str | None
    ethnicity: str
    native_place: str
    household_type: str
    household_county: str
    household_address: str
    address: str
    is_migrant: bool
    is_left_behind: bool
    disability: str
    guardians: tuple[PlannedGuardian, ...]
    school_class: tuple  # PlannedClass.key

    def data(self):
        """The ``data`` of a NewStudent, household county still as a code."""
        return {
            "name": self.name, "gender": self.gender, "birth_date": self.birth_date, "id_number": self.id_number,
            "ethnicity": self.ethnicity, "native_place": self.native_place, "household_type": self.household_type,
            "household_address": self.household_address, "address": self.address, "is_migrant": self.is_migrant,
            "is_left_behind": self.is_left_behind, "disability": self.disability,
        }


@dataclass(frozen=True)
class PlannedEvent:
    """A change after registration. ``person`` indexes ``Plan.people``.

    kinds: suspend, drop_out, transfer (to ``school``/``class_name``), graduate, continue (a
    graduate's new registration at ``school``/``class_name`` in the next stage)."""

    kind: str
    person: int
    on: datetime.date
    reason: str
    school: str = ""
    class_name: str = ""
    until: datetime.date | None = None  # end of a suspension (at most a year, 第二十九条)


@dataclass(frozen=True)
class PlannedStaff:
    username: str
    full_name: str
    unit: str  # a jurisdiction code, or a school code when ``at_school``
    at_school: bool
    role: str  # registrar | reviewer | head
    office: str = "registry"  # registry | exam (the provincial exam authority, 第二十二条)


@dataclass(frozen=True)
class Plan:
    seed: int
    students: int
    today: datetime.date
    school_year: int
    schools: tuple[PlannedSchool, ...]
    classes: tuple[PlannedClass, ...]
    people: tuple[PlannedPerson, ...]
    events: tuple[PlannedEvent, ...]
    staff: tuple[PlannedStaff, ...]

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()

    def events_of(self, kind):
        return [event for event in self.events if event.kind == kind]


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city: str
    city_name: str
    townships: tuple[tuple[str, str], ...]  # (code, name) of 街道, 镇 and 乡, by code

    @property
    def is_urban(self):
        """A city district or county-level city."""
        return self.name.endswith(("区", "市"))

    @property
    def streets(self):
        return [t for t in self.townships if t[1].endswith("街道")]

    @property
    def rural(self):
        return [t for t in self.townships if t[1].endswith(("镇", "乡"))]

    @property
    def seat(self):
        """Where the county's own schools stand: its first 街道, else its 城关镇, else its first town."""
        for township in self.streets:
            return township
        for township in self.rural:
            if township[1].startswith("城关"):
                return township
        return (self.rural or list(self.townships))[0]

    @property
    def full_name(self):
        """兰州市城关区; 嘉峪关市 (a city without counties) only once."""
        return self.name if self.name == self.city_name else self.city_name + self.name

    @property
    def short_name(self):
        return SHORT_COUNTY_NAMES.get(self.code, self.name)

    @property
    def id_areas(self):
        return ID_AREAS.get(self.code, (self.code,))


@dataclass(frozen=True)
class Geography:
    cities: dict  # code → name
    counties: dict  # code → County

    def counties_of(self, city):
        return [c for c in self.counties.values() if c.city == city]


def load_geography() -> Geography:
    """Cities, counties and townships from the project's CSVs (no database)."""
    rows = read_divisions_csv(DIVISIONS_CSV.read_text(encoding="utf-8"))
    townships = defaultdict(list)
    for row in read_divisions_csv(TOWNSHIPS_CSV.read_text(encoding="utf-8")):
        if row["name"].endswith(("街道", "镇", "乡")):
            townships[row["code"][:6]].append((row["code"], row["name"]))
    cities = {r["code"]: r["name"] for r in rows if len(r["code"]) == 4}
    counties = {
        r["code"]: County(r["code"], r["name"], r["code"][:4], cities[r["code"][:4]],
                          tuple(sorted(townships[r["code"]])))
        for r in rows if len(r["code"]) == 6
    }
    return Geography(cities=dict(sorted(cities.items())), counties=dict(sorted(counties.items())))


def plan(seed: int = DEFAULT_SEED, students: int = DEFAULT_STUDENTS, *, today: datetime.date | None = None) -> Plan:
    """Everything the demo will hold, decided from ``seed`` alone (and the date)."""
    if students < MIN_STUDENTS:
        raise ValueError(f"students must be at least {MIN_STUDENTS}")
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    school_year = today.year if today.month >= 9 else today.year - 1
    geo = load_geography()

    def rng(part):
        return random.Random(f"xueji-demo:{seed}:{part}")

    schools = _plan_schools(rng("schools"), geo)
    classes = _plan_classes(rng("classes"), schools, school_year)
    past = _plan_past_classes(rng("past"), schools, school_year, students)
    people, reserved = _plan_people(rng("people"), geo, schools, classes, past, students, school_year, today)
    events = _plan_events(rng("events"), geo, schools, classes, past, people, reserved, school_year, today)
    staff = _plan_staff(rng("staff"), geo, schools, school_year)
    return Plan(seed=seed, students=students, today=today, school_year=school_year, schools=tuple(schools),
                classes=tuple(classes + past), people=tuple(people), events=tuple(events), staff=tuple(staff))


# --- names ------------------------------------------------------------------------------------

SHORT_COUNTY_NAMES = {
    "622927": "积石山县", "620924": "阿克塞县", "620923": "肃北县", "620721": "肃南县",
}
SHORT_CITY_NAMES = {"6229": "临夏州", "6230": "甘南州"}

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def _weighted(rng, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


HAN_SURNAMES = {
    "王": 90, "张": 80, "李": 80, "刘": 55, "陈": 40, "杨": 50, "赵": 35, "马": 40, "何": 20, "周": 20,
    "吴": 18, "孙": 18, "郭": 18, "魏": 15, "蒋": 8, "罗": 12, "朱": 14, "石": 10, "段": 10, "苏": 10,
    "牛": 10, "金": 8, "汪": 12, "包": 6, "雷": 8, "杜": 10, "贾": 10, "胡": 14, "康": 8, "高": 16,
    "付": 10, "冯": 10, "邓": 8, "韩": 12, "曹": 10, "彭": 8, "田": 10, "任": 10, "姚": 8, "薛": 8,
    "秦": 6, "董": 10, "袁": 8, "谢": 8, "郑": 8, "崔": 6, "潘": 6, "巩": 4, "景": 3, "火": 2,
    "把": 2, "令狐": 1, "慕": 3, "祁": 4, "脱": 2, "冉": 3, "柴": 4, "岳": 4, "满": 3, "蔺": 3,
}
SURNAMES_BY_ETHNICITY = {
    "回族": {"马": 40, "冶": 5, "韩": 8, "丁": 5, "白": 5, "穆": 3, "沙": 3, "哈": 2, "王": 6, "杨": 5,
             "李": 4, "张": 4, "何": 3, "喇": 2, "苏": 3, "鲜": 2},
    "东乡族": {"马": 40, "妥": 10, "汪": 8, "唐": 6, "何": 6, "韩": 5, "张": 5, "赵": 5, "安": 5, "王": 5, "买": 3},
    "保安族": {"马": 40, "妥": 15, "韩": 15, "何": 10, "朱": 10, "喇": 10},
    "撒拉族": {"韩": 40, "马": 40, "冶": 10, "沈": 10},
    "裕固族": {"安": 20, "钟": 15, "杜": 10, "贺": 10, "兰": 10, "顾": 10, "郎": 10, "白": 15},
    "土族": {"李": 20, "祁": 20, "鲁": 15, "吕": 15, "星": 10, "王": 20},
}
BOY_CHARS = "浩宇轩俊杰博文涛鹏磊强伟明辉晨阳鑫泽睿航昊然瑞凯家建志嘉天亮豪逸宏锦毅斌超龙飞健哲诚军华兴彬恒翔海"
GIRL_CHARS = "欣怡雨婷梦琪雪静悦萱涵婉诗思妍慧娜丽芳晶璐瑶蕾馨彤雅晓玉艳霞敏琳洁月甜若菲蓉丹莉婧茹"
COMMON_CHARS = "子一可佳思欣雨晨文"
MEN_GIVEN = ["建军", "国强", "志刚", "海龙", "建国", "卫东", "小平", "德明", "文斌", "勇", "涛", "伟", "斌", "强", "磊",
             "建华", "志强", "海军", "学军", "振华", "永平", "红军", "国栋", "永福", "进才", "生荣", "兴旺", "福林"]
WOMEN_GIVEN = ["玉兰", "秀英", "桂花", "红霞", "丽娟", "春梅", "小红", "淑珍", "翠花", "海燕", "丽", "静", "娟", "芳",
               "艳", "霞", "玲", "梅", "燕", "彩霞", "晓燕", "丽萍", "文娟", "改莲", "巧梅", "存花"]
TIBETAN_MALE = ["扎西", "才让", "多杰", "旦增", "索南", "洛桑", "更登", "桑杰", "贡保", "才旦", "仁青", "完玛",
                "道吉", "华旦", "尕藏", "东主", "加措", "久美", "昂秀", "周加"]
TIBETAN_FEMALE = ["卓玛", "拉毛", "措吉", "央金", "拉姆", "卓尕", "才措", "吉毛", "德吉", "娘吉", "贡毛", "草毛"]

# Ethnic mix of the pupils by county, then city, then the province (most specific wins).
ETHNIC_MIX = {
    "622926": {"东乡族": 86, "回族": 8, "汉族": 6},  # 东乡族自治县
    "622927": {"汉族": 40, "回族": 20, "保安族": 14, "东乡族": 14, "撒拉族": 12},  # 积石山
    "622901": {"回族": 50, "汉族": 45, "东乡族": 5},  # 临夏市
    "6229": {"汉族": 55, "回族": 35, "东乡族": 8, "撒拉族": 1, "土族": 1},
    "623025": {"藏族": 88, "汉族": 8, "回族": 4},  # 玛曲
    "623026": {"藏族": 86, "汉族": 9, "回族": 5},  # 碌曲
    "623027": {"藏族": 80, "汉族": 12, "回族": 8},  # 夏河
    "623023": {"汉族": 55, "藏族": 45},  # 舟曲
    "623021": {"汉族": 70, "回族": 20, "藏族": 10},  # 临潭
    "6230": {"藏族": 55, "汉族": 35, "回族": 8, "土族": 2},
    "620623": {"汉族": 62, "藏族": 28, "土族": 8, "回族": 2},  # 天祝藏族自治县
    "620721": {"裕固族": 40, "汉族": 38, "藏族": 20, "蒙古族": 2},  # 肃南裕固族自治县
    "620525": {"回族": 70, "汉族": 30},  # 张家川回族自治县
    "620923": {"汉族": 60, "蒙古族": 36, "回族": 2, "藏族": 2},  # 肃北蒙古族自治县
    "620924": {"汉族": 68, "哈萨克族": 30, "回族": 2},  # 阿克塞哈萨克族自治县
    "6201": {"汉族": 92, "回族": 6, "东乡族": 1, "藏族": 1},
    "": {"汉族": 97, "回族": 2.5, "满族": 0.5},
}


def ethnic_mix(county_code):
    for key in (county_code, county_code[:4], ""):
        if key in ETHNIC_MIX:
            return ETHNIC_MIX[key]


def child_name(rng, ethnicity, gender, surname=None):
    if ethnicity == "藏族":
        if gender == "M":
            first, second = rng.sample(TIBETAN_MALE, 2)
        else:
            first, second = rng.choice(TIBETAN_MALE + TIBETAN_FEMALE), rng.choice(TIBETAN_FEMALE)
        return first + second if first != second else first
    surname = surname or _weighted(rng, SURNAMES_BY_ETHNICITY.get(ethnicity, HAN_SURNAMES))
    chars = (BOY_CHARS if gender == "M" else GIRL_CHARS) + COMMON_CHARS
    if rng.random() < 0.25:
        return surname + rng.choice(chars)
    return surname + "".join(rng.sample(chars, 2))


def adult_name(rng, ethnicity, gender, surname=None):
    if ethnicity == "藏族":
        pool = TIBETAN_MALE if gender == "M" else TIBETAN_FEMALE
        return rng.choice(TIBETAN_MALE + TIBETAN_FEMALE) + rng.choice(pool)
    surname = surname or _weighted(rng, SURNAMES_BY_ETHNICITY.get(ethnicity, HAN_SURNAMES))
    return surname + rng.choice(MEN_GIVEN if gender == "M" else WOMEN_GIVEN)


def phone_number(rng):
    return "1" + rng.choice(["33", "35", "38", "39", "51", "52", "57", "77", "80", "81", "87", "89", "91", "99"]) + \
        f"{rng.randrange(10**8):08d}"


ROADS = ["东岗西路", "庆阳路", "金昌路", "人民路", "建设路", "解放路", "民主路", "南关街", "北关街", "新华路",
         "滨河路", "北环路", "南环路", "文化路", "和平路", "团结路", "胜利路", "东大街", "西大街"]
VILLAGE_ENDINGS = ["庄", "湾", "沟", "坪", "川", "台", "岔", "塬", "堡", "咀"]


def street_address(rng, county):
    return (f"{county.full_name}{rng.choice(ROADS)}{rng.randrange(1, 400)}号"
            f"{rng.randrange(1, 30)}号楼{rng.randrange(1, 7)}单元{rng.randrange(1, 25)}0{rng.randrange(1, 5)}室")


def village_address(rng, county, township):
    village = rng.choice(list(HAN_SURNAMES)[:40]) + "家" + rng.choice(VILLAGE_ENDINGS)
    return f"{county.full_name}{township[1]}{village}村{cn_number(rng.randrange(1, 12))}社"


# --- schools ----------------------------------------------------------------------------------

PRIVATE_BRANDS = ["博文", "育才", "新世纪", "华英", "明德", "启航", "博雅", "春晖", "明珠", "致远"]
# (name, category, county) of the province-direct schools (省教育厅直属).
PROVINCE_SCHOOLS = [
    ("甘肃省实验中学", "4", "620102"),
    ("甘肃省第二实验中学", "5", "620105"),
    ("甘肃省理工中等专业学校", "6", "620104"),
    ("甘肃省天水实验中学", "5", "620502"),
]


class _Draft(NamedTuple):
    """A school before it gets its numbers."""

    county: County
    name: str
    township: tuple
    category: str
    ownership: str
    supervision: str
    size: float


def _plan_schools(rng, geo):
    drafts = []

    for county in geo.counties.values():
        drafts += _county_school_drafts(rng, county)
    for city, city_name in geo.cities.items():
        counties = geo.counties_of(city)
        drafts += _city_school_drafts(rng, SHORT_CITY_NAMES.get(city, city_name), counties)
    for name, category, code in PROVINCE_SCHOOLS:
        county = geo.counties[code]
        drafts.append(_Draft(county, name, county.seat, category, "public", "province", 6.0))

    # Every category somewhere (the random draw makes them likely, this makes them certain).
    present = {d.category for d in drafts}
    fallback = {"0": "实验小学", "1": "实验初级中学", "2": "九年制学校", "3": "实验学校", "4": "第八中学",
                "5": "高级中学", "6": "职业教育中心", "7": "综合高级中学", "S": "特殊教育学校"}
    for category in CATEGORY_STAGES:
        if category not in present:
            county = rng.choice(list(geo.counties.values()))
            drafts.append(_Draft(county, county.short_name + fallback[category], county.seat, category, "public",
                                 "county", 2.0))

    schools, names = [], set()
    by_county = defaultdict(list)
    for draft in drafts:
        by_county[draft.county.code].append(draft)
    for code, county_drafts in sorted(by_county.items()):
        numbers = rng.sample(range(1, 1000), len(county_drafts))
        aux_codes = rng.sample(range(1, 100), len(county_drafts))
        for draft, number, aux in zip(county_drafts, sorted(numbers), aux_codes):
            if draft.name in names:
                continue
            names.add(draft.name)
            per_grade = 2 if draft.size >= 3 else 1
            if rng.random() < 0.2:
                per_grade = 3 - per_grade
            schools.append(PlannedSchool(
                code=f"1{code}{number:03d}", name=draft.name, county=code, township=draft.township[0],
                category=draft.category, ownership=draft.ownership, supervision=draft.supervision,
                auxiliary_code=f"{aux:02d}", classes_per_grade=per_grade, size=draft.size,
            ))
    return schools


def _county_school_drafts(rng, county):
    c, seat = county.short_name, county.seat
    primary_no, middle_no = iter(range(1, 60)), iter(range(1, 60))
    drafts = []

    def add(name, category, township, size, ownership="public"):
        drafts.append(_Draft(county, name, township, category, ownership, "county", size))

    # The county's first middle school and its first (or experimental) primary school.
    add(f"{c}第{cn_number(next(middle_no))}中学", rng.choice("445"), seat, 4.0)
    if rng.random() < 0.3:
        add(f"{c}实验小学", "0", seat, 4.5)
    else:
        add(f"{c}第{cn_number(next(primary_no))}小学", "0", seat, 4.5)
    # More schools where there are more townships: village schools in the country, numbered
    # ones in town.
    rural = list(county.rural)
    rng.shuffle(rural)
    streets = county.streets or [seat]
    for _ in range(len(county.townships) // 16 + (1 if county.is_urban and county.streets else 0)):
        if rural and (not county.is_urban or rng.random() < 0.3):
            township = rural.pop()
            category = _weighted(rng, {"0": 40, "2": 30, "1": 25, "3": 5})
            suffix = {"0": "中心小学", "1": "初级中学", "2": "九年制学校", "3": "学校"}[category]
            add(township[1] + suffix, category, township, 1.5 if category == "0" else 2.0)
        else:
            category = _weighted(rng, {"0": 55, "1": 30, "4": 15})
            if category == "0":
                add(f"{c}第{cn_number(next(primary_no))}小学", "0", rng.choice(streets), 3.5)
            else:
                add(f"{c}第{cn_number(next(middle_no))}中学", category, rng.choice(streets), 3.0)
    if rng.random() < 0.14:
        category = _weighted(rng, {"6": 70, "7": 30})
        add(f"{c}职业教育中心" if category == "6" else f"{c}综合高级中学", category, seat, 2.5)
    if rng.random() < 0.09:
        add(f"{c}特殊教育学校", "S", seat, 0.6)
    if rng.random() < 0.09:
        category = _weighted(rng, {"0": 30, "2": 40, "3": 15, "4": 15})
        suffix = {"0": "小学", "2": "学校", "3": "实验学校", "4": "中学"}[category]
        add(f"{c}{rng.choice(PRIVATE_BRANDS)}{suffix}", category, rng.choice(streets), 2.0, ownership="private")
    return drafts


def _city_school_drafts(rng, city_name, counties):
    """Schools directly under the city bureau (市教育局直属), in the city's main districts."""
    urban = [c for c in counties if c.is_urban] or counties
    drafts = []

    def add(name, category, size, ownership="public"):
        county = rng.choice(urban)
        township = rng.choice(county.streets or [county.seat])
        drafts.append(_Draft(county, name, township, category, ownership, "city", size))

    big = city_name.startswith(("兰州", "天水"))
    for number in sorted(rng.sample(range(1, 9), 3 if big else rng.choice((1, 2)))):
        add(f"{city_name}第{cn_number(number)}中学", rng.choice("45"), 5.0)
    if rng.random() < 0.6:
        add(f"{city_name}特殊教育学校", "S", 0.8)
    if rng.random() < 0.5:
        add(f"{city_name}职业中等专业学校", "6", 3.0)
    if rng.random() < 0.3:
        add(f"{city_name}{rng.choice(PRIVATE_BRANDS)}外国语学校", "3", 3.0, ownership="private")
    return drafts


def _plan_classes(rng, schools, school_year):
    """Classes of the cohorts now at school: grade g of a stage is the cohort of year - g + 1."""
    classes = []
    for school in schools:
        for stage in school.stages:
            for grade in range(1, YEARS[stage] + 1):
                count = school.classes_per_grade
                if count == 2 and rng.random() < 0.15:
                    count = 1
                for number in range(1, count + 1):
                    classes.append(PlannedClass(school.code, stage, school_year - grade + 1, f"{number}班"))
    return classes


def _plan_past_classes(rng, schools, school_year, students):
    """A few classes that finished last summer (junior and senior cohorts), to graduate."""
    count = max(2, round(students * SHARE_GRADUATED) // 30)
    offering = {stage: [s for s in schools if stage in s.stages] for stage in ("junior", "senior")}
    chosen = []
    for index in range(count):
        stage = ("junior", "senior")[index % 2]
        candidates = [s for s in offering[stage] if s.code not in {c.school for c in chosen}]
        school = rng.choice(candidates)
        chosen.append(PlannedClass(school.code, stage, school_year - YEARS[stage], "1班"))
    return chosen


# --- people -----------------------------------------------------------------------------------


def _plan_people(rng, geo, schools, classes, past, students, school_year, today):
    """People per class; returns (people, indices that must stay active: one per grade)."""
    by_code = {s.code: s for s in schools}
    graduates = max(MIN_EVENTS * 2, round(students * SHARE_GRADUATED))
    active = students - graduates

    # One pupil in every grade of every stage first, so that no grade is empty; the rest by size.
    by_stage_grade = defaultdict(list)
    for cls in classes:
        by_stage_grade[(cls.stage, school_year - cls.cohort + 1)].append(cls)
    counts = Counter()
    reserved_classes = []
    for key in sorted(by_stage_grade):
        cls = rng.choice(by_stage_grade[key])
        counts[cls.key] += 1
        reserved_classes.append(cls.key)
    weights = [by_code[c.school].size for c in classes]
    for cls in rng.choices(classes, weights=weights, k=active - len(reserved_classes)):
        counts[cls.key] += 1
    for index in range(graduates):
        counts[past[index % len(past)].key] += 1

    people, reserved, used_ids = [], set(), set()
    reserved_left = Counter(reserved_classes)
    for cls in classes + past:
        school = by_code[cls.school]
        for _ in range(counts[cls.key]):
            if reserved_left[cls.key]:
                reserved_left[cls.key] -= 1
                reserved.add(len(people))
            people.append(_person(rng, geo, school, cls, used_ids, today))
    _dedupe_people_without_id(rng, people)
    return [PlannedPerson(**p) for p in people], reserved


def _birth_date(rng, stage, cohort, today):
    age = ENTRY_AGE[stage]
    if stage == "special":
        age += rng.choice((0, 0, 1, 2))
    elif rng.random() < 0.05:
        age += 1  # started a year late
    first = datetime.date(cohort - age - 1, 9, 1)  # aged `age` on 1 September of the entry year
    born = first + datetime.timedelta(days=rng.randrange(365))
    return min(born, today)


def _person(rng, geo, school, cls, used_ids, today):
    county = geo.counties[school.county]
    township = next(t for t in county.townships if t[0] == school.township)
    gender = "M" if rng.random() < 0.52 else "F"
    birth = _birth_date(rng, cls.stage, cls.cohort, today)

    migrant = rng.random() < (0.15 if county.is_urban else 0.02)
    home = county
    if migrant:
        same_city = [c for c in geo.counties_of(county.city) if c.code != county.code]
        pool = same_city if same_city and rng.random() < 0.6 else list(geo.counties.values())
        home = rng.choice([c for c in pool if c.code != county.code])
    ethnicity = _weighted(rng, ethnic_mix(home.code))
    name = child_name(rng, ethnicity, gender)
    surname = name[0] if ethnicity != "藏族" else None

    if rng.random() < SHARE_WITHOUT_ID:
        id_number = None
    else:
        id_number = _new_id_number(rng, rng.choice(home.id_areas), birth, gender, used_ids)

    home_township = rng.choice(home.townships) if migrant else township
    urban_home = home_township[1].endswith("街道")
    if urban_home:
        household_type = _weighted(rng, {"resident": 60, "non_agricultural": 25, "agricultural": 15})
        household_address = "甘肃省" + street_address(rng, home)
    else:
        household_type = _weighted(rng, {"agricultural": 75, "resident": 25})
        household_address = "甘肃省" + village_address(rng, home, home_township)
    if migrant:
        address = street_address(rng, county)
    else:
        address = household_address.removeprefix("甘肃省")
    left_behind = not migrant and not township[1].endswith("街道") and rng.random() < 0.12

    if cls.stage == "special":
        disability = _weighted(rng, {"intellectual": 45, "hearing": 20, "visual": 12, "speech": 8, "multiple": 10,
                                     "physical": 5})
    else:
        disability = _weighted(rng, {"": 995, "physical": 2, "hearing": 1, "visual": 1, "intellectual": 1})

    guardians = _guardians(rng, ethnicity, surname, left_behind, id_number[:6] if id_number else home.id_areas[0],
                           birth)
    return {
        "name": name, "gender": gender, "birth_date": birth, "id_number": id_number, "ethnicity": ethnicity,
        "native_place": f"甘肃省{home.full_name}", "household_type": household_type, "household_county": home.code,
        "household_address": household_address, "address": address, "is_migrant": migrant,
        "is_left_behind": left_behind, "disability": disability, "guardians": guardians,
        "school_class": cls.key,
    }


def _new_id_number(rng, area, birth, gender, used):
    """A valid, unused ID number: sequence parity is the gender (odd male, even female)."""
    while True:
        n = rng.randrange(1, 500)
        sequence = 2 * n - 1 if gender == "M" else 2 * n
        if (area, birth, sequence) in used:
            continue
        used.add((area, birth, sequence))
        return validate_id_number(make_id_number(area, birth, sequence), birth_date=birth, gender=gender)


def _guardians(rng, ethnicity, surname, left_behind, area, child_birth):
    def adult(relation, gender, family_name, years):
        born = child_birth - datetime.timedelta(days=365 * rng.randrange(*years) + rng.randrange(365))
        n = rng.randrange(1, 500)
        id_number = make_id_number(area, born, 2 * n - 1 if gender == "M" else 2 * n)
        return PlannedGuardian(adult_name(rng, ethnicity, gender, family_name), relation, phone_number(rng), id_number)

    father = adult("父亲", "M", surname, (23, 38))
    mother = adult("母亲", "F", None, (21, 36))
    if left_behind:  # parents away at work: grandparents look after the child
        grandfather = adult("祖父", "M", surname, (46, 62))
        grandmother = adult("祖母", "F", None, (44, 60))
        return (grandfather, grandmother) if rng.random() < 0.5 else (grandmother, father)
    roll = rng.random()
    if roll < 0.65:
        return (father, mother)
    return (father,) if roll < 0.82 else (mother,)


def _dedupe_people_without_id(rng, people):
    """A person without an ID number is matched on name pinyin, gender and birth date (第十一条):
    give each of them a name nobody else of that gender and birth date has."""
    from cases.services.students import name_pinyin

    without = [p for p in people if p["id_number"] is None]
    if not without:
        return
    births = {p["birth_date"] for p in without}
    keys = Counter((name_pinyin(p["name"]), p["gender"], p["birth_date"]) for p in people if p["birth_date"] in births)
    for person in without:
        key = (name_pinyin(person["name"]), person["gender"], person["birth_date"])
        while keys[key] > 1:
            keys[key] -= 1
            person["name"] = child_name(rng, person["ethnicity"], person["gender"])
            key = (name_pinyin(person["name"]), person["gender"], person["birth_date"])
            keys[key] += 1


# --- events -----------------------------------------------------------------------------------


def _event_window(today, school_year):
    """Days this school year on which changes happened (before today)."""
    start, end = datetime.date(school_year, 9, 15), today - datetime.timedelta(days=1)
    if end < start:  # the school year has only just begun: the spring term before it
        start = datetime.date(school_year, 3, 1)
    return start, end


def _plan_events(rng, geo, schools, classes, past, people, reserved, school_year, today):
    by_code = {s.code: s for s in schools}
    class_names = defaultdict(list)
    for cls in classes:
        class_names[(cls.school, cls.stage, cls.cohort)].append(cls.class_name)
    past_keys = {cls.key for cls in past}
    start, end = _event_window(today, school_year)

    def day():
        return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))

    def grade(person):
        return school_year - person.school_class[2] + 1

    # Active pupils beyond their first year, in a random order; each takes part in one change.
    candidates = [i for i, p in enumerate(people)
                  if i not in reserved and p.school_class not in past_keys and grade(p) >= 2]
    rng.shuffle(candidates)
    taken = set()
    n = len(people)

    def pick(count, accept):
        chosen = []
        for index in candidates:
            if len(chosen) == count:
                break
            if index not in taken and accept(people[index]):
                chosen.append(index)
                taken.add(index)
        return chosen

    events = []
    # Transfers: not in the first or the last grade (第二十六条), to a school with the stage;
    # general high school not within the same county.
    offering = defaultdict(list)
    for school in schools:
        for stage in school.stages:
            offering[stage].append(school)
    for index in pick(max(MIN_EVENTS, round(n * SHARE_TRANSFERRED)),
                      lambda p: p.school_class[1] != "special" and grade(p) < YEARS[p.school_class[1]]):
        person = people[index]
        origin = by_code[person.school_class[0]]
        stage, cohort = person.school_class[1], person.school_class[2]
        others = [s for s in offering[stage] if s.code != origin.code]
        if stage == "senior":
            others = [s for s in others if s.county != origin.county]
        roll = rng.random()
        near = [s for s in others if s.county == origin.county] if roll < 0.55 else \
            [s for s in others if s.county[:4] == origin.county[:4]] if roll < 0.85 else []
        destination = rng.choice(near or others)
        class_name = rng.choice(class_names[(destination.code, stage, cohort)])
        events.append(PlannedEvent("transfer", index, day(), f"转学至{destination.name}", destination.code,
                                   class_name))
    for index in pick(max(MIN_EVENTS, round(n * SHARE_SUSPENDED)), lambda p: True):
        reason = _weighted(rng, {"因病休学(持县级以上医院诊断证明)": 70, "因伤休学": 15, "因家庭特殊原因休学": 15})
        on = day()
        until = on + datetime.timedelta(days=rng.randrange(120, 365))
        events.append(PlannedEvent("suspend", index, on, reason, until=until))
    # Dropouts happen in compulsory education, mostly in junior school (第三十二条).
    dropouts = max(MIN_EVENTS, round(n * SHARE_DROPPED_OUT))
    for index in pick(dropouts * 2 // 3, lambda p: p.school_class[1] == "junior") + \
            pick(dropouts - dropouts * 2 // 3, lambda p: p.school_class[1] in COMPULSORY and grade(p) >= 3):
        events.append(PlannedEvent("drop_out", index, day(), "辍学,已书面报告乡(镇)人民政府和县级教育行政部门"))

    # Last summer's finishing classes graduate; a third of the junior graduates go on to a
    # general high school of their city.
    graduation = datetime.date(school_year, 7, 1)
    first_senior = defaultdict(list)
    for school in offering["senior"]:
        first_senior[school.county[:4]].append(school)
    for index, person in enumerate(people):
        if person.school_class not in past_keys:
            continue
        stage = person.school_class[1]
        events.append(PlannedEvent("graduate", index, graduation, "初中毕业" if stage == "junior" else "高中毕业"))
        if stage == "junior" and rng.random() < 1 / 3:
            origin = by_code[person.school_class[0]]
            destination = rng.choice(first_senior[origin.county[:4]] or offering["senior"])
            class_name = rng.choice(class_names[(destination.code, "senior", school_year)])
            events.append(PlannedEvent("continue", index, datetime.date(school_year, 9, 1),
                                       f"初中毕业升入{destination.name}", destination.code, class_name))
    order = {"graduate": 0, "continue": 1, "transfer": 2, "suspend": 3, "drop_out": 4}
    return sorted(events, key=lambda e: (e.on, order[e.kind], e.person))


# --- staff ------------------------------------------------------------------------------------


def _plan_staff(rng, geo, schools, school_year):
    staff = []

    def add(username, unit, role, at_school=False, office="registry"):
        ethnicity = "汉族" if rng.random() < 0.9 else "回族"
        staff.append(PlannedStaff(username, adult_name(rng, ethnicity, rng.choice("MF")), unit, at_school, role,
                                  office))

    add("province", "62", "reviewer")
    add("province-head", "62", "head")
    add("province-exam", "62", "reviewer", office="exam")  # 第二十二条: its own unit, its own staff
    for city in geo.cities:
        add(f"city-{city}", city, "reviewer")
        add(f"city-{city}-head", city, "head")
    for county in geo.counties:
        add(f"county-{county}", county, "reviewer")
        if rng.random() < 0.25 or county == DEMO_COUNTY:
            add(f"county-{county}-head", county, "head")
    # Registrars: the first county school of each city's first county, then a random choice.
    chosen = []
    for city in geo.cities:
        first_county = geo.counties_of(city)[0].code
        chosen.append(next(s for s in schools if s.county == first_county and s.supervision == "county"))
    rest = [s for s in schools if s not in chosen]
    chosen += rng.sample(rest, REGISTRAR_SCHOOLS - len(chosen))
    for school in sorted(chosen, key=lambda s: s.code):
        add(f"school-{school.code}", school.code, "registrar", at_school=True)
        # Separation of duties: the registrar who submits a case never decides its school step;
        # each school with a registrar gets a head (校长) account who does (docs/architecture.md).
        head_rng = random.Random(f"head:{school.code}")
        staff.append(PlannedStaff(f"school-{school.code}-head", adult_name(head_rng, "汉族", head_rng.choice("MF")),
                                  school.code, True, "head", "registry"))
    return staff


def trained_on(username, school_year):
    """A fixed training date per account (第三十六条: trained before starting)."""
    r = random.Random(f"trained:{username}")
    return datetime.date(school_year - r.randrange(0, 4), 8, r.randrange(1, 29))


# --- the build --------------------------------------------------------------------------------


@dataclass
class BuildResult:
    seconds: float
    townships_created: int
    admin: object
    logins: list  # (username, role, unit)


def supervisor_username(planned):
    """The account of the unit a planned school answers to."""
    return {"province": "province", "city": f"city-{planned.county[:4]}", "county": f"county-{planned.county}"}[
        planned.supervision]


def authority_username(school, stage):
    code = school.authority_code(stage)
    return {2: "province", 4: f"city-{code}", 6: f"county-{code}"}[len(code)]


def build(the_plan: Plan, *, password: str = DEFAULT_PASSWORD, log=print) -> BuildResult:
    """Write the plan through the services, in one transaction. The caller checks that the
    database holds no schools yet."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from cases.audit import audit
    from cases.models import Jurisdiction, SchoolClass
    from cases.services.schools import school_create
    from cases.services.staff import staff_create
    from cases.services.students import NewStudent, students_register

    started = time.monotonic()
    User = get_user_model()
    geo = load_geography()
    with transaction.atomic():
        townships_created = ensure_townships()
        places = {j.code: j for j in Jurisdiction.objects.all()}
        admin = User.objects.create_superuser("admin", "admin@example.invalid", None, first_name="系统管理员")
        users = {"admin": admin}
        planned_staff = defaultdict(list)
        for member in the_plan.staff:
            planned_staff[member.unit].append(member)
        schools = {}

        def create_staff(unit_code, unit):
            for member in planned_staff.get(unit_code, []):
                # One hash for everybody, set below: hashing the shared password once per
                # account (PBKDF2, ~0.25 s) would cost most of a minute.
                profile = staff_create(acting_user=admin, username=member.username, password=None,
                                       full_name=member.full_name, unit=unit, role=member.role,
                                       office=member.office, trained_on=trained_on(member.username, the_plan.school_year),
                                       filed_on=trained_on(member.username, the_plan.school_year)
                                       + datetime.timedelta(days=10))
                users[member.username] = profile.user

        create_staff("62", places["62"])
        people_by_class = defaultdict(list)
        for index, person in enumerate(the_plan.people):
            people_by_class[person.school_class].append(index)
        registrations = {}
        for city, city_name in geo.cities.items():
            city_started = time.monotonic()
            create_staff(city, places[city])
            for county in geo.counties_of(city):
                create_staff(county.code, places[county.code])
            city_schools = [s for s in the_plan.schools if s.county.startswith(city)]
            for planned in city_schools:
                schools[planned.code] = school_create(
                    acting_user=users[supervisor_username(planned)], code=planned.code, name=planned.name,
                    county=places[planned.county], township=places.get(planned.township),
                    category=planned.category, ownership=planned.ownership, supervision=planned.supervision,
                    auxiliary_code=planned.auxiliary_code,
                )
                create_staff(planned.code, schools[planned.code])
            codes = {s.code for s in city_schools}
            classes = SchoolClass.objects.bulk_create([
                SchoolClass(school=schools[c.school], stage=c.stage, cohort=c.cohort, class_name=c.class_name)
                for c in the_plan.classes if c.school in codes
            ])
            count = 0
            for school_class in classes:
                key = (school_class.school.code, school_class.stage, school_class.cohort, school_class.class_name)
                indices = people_by_class.get(key)
                if not indices:
                    continue
                school = school_class.school
                registrar = users.get(f"school-{school.code}") or users[authority_username(school, school_class.stage)]
                created = students_register(
                    acting_user=registrar, school=school, stage=school_class.stage,
                    started_on=datetime.date(school_class.cohort, 9, 1),
                    people=[_new_student(NewStudent, the_plan.people[i], school_class, places) for i in indices],
                )
                registrations.update(zip(indices, created))
                count += len(indices)
            log(f"{city_name}:学校 {len(city_schools)} 所,班级 {len(classes)} 个,学生 {count} 人"
                f"({time.monotonic() - city_started:.1f} 秒)")

        events_started = time.monotonic()
        _apply_events(the_plan, schools, registrations, users)
        log(f"学籍变动 {len(the_plan.events)} 项(休学、辍学、转学、毕业)({time.monotonic() - events_started:.1f} 秒)")
        seed_day(the_plan.today, users, log=log)  # cases in flight, a certificate and its print job

        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=make_password(password))
        audit(places["62"], "xueji.demo.seed", acting_user=admin,
              data={"seed": the_plan.seed, "students": the_plan.students, "today": the_plan.today.isoformat(),
                    "digest": the_plan.digest()})

    return BuildResult(seconds=time.monotonic() - started, townships_created=townships_created, admin=admin,
                       logins=demo_logins())


def demo_logins():
    """(username, role, unit) of a handful of demo accounts: admin, the province, 兰州市, 城关区
    and a registrar of a 城关区 school. Empty when the demo has not been built."""
    from django.contrib.auth import get_user_model

    from cases.models import Role, StaffProfile

    if not get_user_model().objects.filter(username="admin", is_superuser=True).exists():
        return []
    logins = [("admin", "超级管理员", "全部")]
    profiles = StaffProfile.objects.select_related("user", "jurisdiction", "school")
    for username in ("province", "city-6201", f"county-{DEMO_COUNTY}", "province-exam"):
        profile = profiles.filter(user__username=username).first()
        if profile:
            logins.append((username, str(Role(profile.role).label), profile.unit_name))
    registrar = demo_registrar()
    if registrar:
        logins.append((registrar.user.username, str(Role.REGISTRAR.label), registrar.school.name))
        head = profiles.filter(user__username=f"{registrar.user.username}-head").first()
        if head:  # decides the school's own step of the registrar's cases (separation of duties)
            logins.append((head.user.username, f"{Role.HEAD.label}(审批本校步骤)", head.school.name))
    return logins


def _new_student(NewStudent, person, school_class, places):
    data = person.data()
    data["household_county"] = places[person.household_county]
    guardians = tuple({"name": g.name, "relation": g.relation, "phone": g.phone, "id_number": g.id_number}
                      for g in person.guardians)
    return NewStudent(data=data, school_class=school_class, guardians=guardians)


def _apply_events(the_plan, schools, registrations, users):
    from cases.models import RegistrationStatus, SchoolClass
    from cases.services.auxiliary_numbers import auxiliary_number_cancel, auxiliary_number_issue
    from cases.services.registrations import (
        registration_change_status,
        registration_open,
        registration_set_suspension_end,
    )

    def authority(school, stage):
        return users[authority_username(school, stage)]

    def close(registration, status, on, reason, number_reason=None):
        acting = authority(registration.school, registration.stage)
        registration_change_status(acting_user=acting, registration=registration, status=status, occurred_on=on,
                                   reason=reason)
        if number_reason:
            auxiliary_number_cancel(acting_user=acting, registration=registration, reason=number_reason)

    def open_at(registration, event, stage, cohort, reason):
        school = schools[event.school]
        acting = authority(school, stage)
        school_class = SchoolClass.objects.get(school=school, stage=stage, cohort=cohort, class_name=event.class_name)
        new = registration_open(acting_user=acting, student=registration.student, school=school, stage=stage,
                                started_on=event.on, reason=reason, school_class=school_class)
        auxiliary_number_issue(acting_user=acting, registration=new)
        return new

    for event in the_plan.events:
        registration = registrations[event.person]
        if event.kind == "suspend":
            close(registration, RegistrationStatus.SUSPENDED, event.on, event.reason, "休学")
            registration_set_suspension_end(acting_user=authority(registration.school, registration.stage),
                                            registration=registration, until=event.until, reason=event.reason)
        elif event.kind == "drop_out":
            close(registration, RegistrationStatus.DROPPED_OUT, event.on, event.reason, "辍学")
        elif event.kind == "transfer":
            close(registration, RegistrationStatus.TRANSFERRED_OUT, event.on, event.reason, "转出")
            registrations[event.person] = open_at(registration, event, registration.stage,
                                                  registration.school_class.cohort, f"自{registration.school.name}转入")
        elif event.kind == "graduate":
            close(registration, RegistrationStatus.GRADUATED, event.on, event.reason)
        elif event.kind == "continue":
            registrations[event.person] = open_at(registration, event, "senior", the_plan.school_year, event.reason)
        else:  # pragma: no cover
            raise ValueError(event.kind)


def ensure_townships():
    """Load the province's townships from the project's copy unless some are loaded already."""
    from cases.models import Jurisdiction, Level
    from cases.services.divisions import divisions_import

    if Jurisdiction.objects.filter(level=Level.TOWNSHIP, code__startswith="62").exists():
        return 0
    result = divisions_import(acting_user=None, rows=read_divisions_csv(TOWNSHIPS_CSV.read_text(encoding="utf-8")))
    return result["created"]
