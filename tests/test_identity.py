"""Identity (第十一条): names normalised before storing and matching, and concurrent registrations
of one person without an ID number serialised by a lock the database holds."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases.identity import name_pinyin, normalize_name
from cases.models import Registration, Student
from tests.factories import SchoolFactory, register_student, together

BIRTH = datetime.date(2012, 3, 4)


def codes(error):
    return [getattr(e, "code", None) for e in error.error_list]


@pytest.mark.parametrize("variant", [
    "阿依古丽·买买提",            # the standard middle dot U+00B7
    "阿依古丽・买买提",            # katakana middle dot U+30FB
    "阿依古丽･买买提",            # half-width katakana middle dot U+FF65
    "阿依古丽•买买提",            # bullet
    "阿依古丽.买买提",             # a full stop typed on a keyboard
    "阿依古丽．买买提",            # full-width full stop
    "阿依古丽 · 买买提",           # spaces around the dot
    "\ufeff阿依古丽·买买提",      # byte-order mark pasted from a spreadsheet
    "阿依古丽\u200b·买买提\u3000",  # zero-width space, ideographic space
    "阿依古丽\u00b7\u200d买买提",   # zero-width joiner
])
def test_look_alike_spellings_normalise_to_one_name(variant):
    assert normalize_name(variant) == "阿依古丽·买买提"
    assert name_pinyin(variant) == "ayigulimaimaiti"


def test_normalisation_is_idempotent_and_keeps_real_differences():
    assert normalize_name(normalize_name("Ｌｉ\u00a0Ｍｉｎｇ")) == "Li Ming"
    assert normalize_name("张三") != normalize_name("张山")
    assert normalize_name("𠮷野") == "𠮷野"  # an Extension B character is kept as it is


@pytest.mark.django_db
@pytest.mark.parametrize("second", ["阿依古丽・买买提", "\u200b阿依古丽．买买提\ufeff", "阿依古丽 • 买买提"])
def test_invisible_or_look_alike_characters_do_not_hide_a_duplicate(second):
    school = SchoolFactory()
    first = register_student(school=school, name="阿依古丽·买买提", gender="F", birth_date=BIRTH, with_id=False)
    assert first.student.name == "阿依古丽·买买提"
    before = Student.objects.count()
    with pytest.raises(ValidationError) as info:
        register_student(school=school, name=second, gender="F", birth_date=BIRTH, with_id=False)
    assert codes(info.value) == ["duplicate_person"]
    assert "姓名、性别、出生日期相同" in info.value.error_list[0].message  # the same name once folded
    assert Student.objects.count() == before


@pytest.mark.django_db
def test_names_are_stored_normalised():
    registration = register_student(name="\ufeff王\u200b小明\u3000", with_id=False, birth_date=BIRTH)
    student = registration.student
    assert (student.name, student.name_pinyin) == ("王小明", "wangxiaoming")


@pytest.mark.django_db
@pytest.mark.parametrize("name, code", [
    ("王\x00明", "name_invalid_character"),
    ("\u200b\ufeff", "name_required"),
    ("长" * 51, "name_too_long"),
])
def test_unstorable_names_are_refused_and_nothing_written(name, code):
    school = SchoolFactory()
    with pytest.raises(ValidationError) as info:
        register_student(school=school, name=name, with_id=False, birth_date=BIRTH)
    assert codes(info.value) == [code]
    assert info.value.error_list[0].field == "name"
    assert not Registration.objects.filter(school=school).exists()


@pytest.mark.django_db
def test_the_longest_legal_name_with_long_pinyin_is_stored():
    name = "庄" * 50  # "zhuang" × 50: 300 letters
    registration = register_student(name=name, with_id=False, birth_date=BIRTH)
    assert len(registration.student.name_pinyin) == 300


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_registrations_of_one_person_without_id_number_yield_one():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises writers")
    school = SchoolFactory()
    outcomes = []
    # Each thread spells the name its own way, as ten clerks would.
    spellings = ["马丽·艾山", "马丽・艾山", "马丽.艾山", "\u200b马丽·艾山", "马丽 · 艾山"] * 2

    def register(name):
        try:
            register_student(school=school, name=name, gender="F", birth_date=BIRTH, with_id=False)
            outcomes.append("registered")
        except ValidationError as error:
            outcomes.append(codes(error))

    assert together(register, [(name,) for name in spellings]) == []  # no thread died otherwise
    assert outcomes.count("registered") == 1
    assert sorted(map(str, outcomes)) == sorted(["registered"] + [str(["duplicate_person"])] * 9)
    assert Student.objects.filter(name="马丽·艾山").count() == 1
    assert Registration.objects.filter(school=school).count() == 1


def test_names_spelled_character_by_character_read_as_the_whole_name_does():
    """identity.spelled joins per-character readings unless pypinyin reads a phrase of its
    dictionary: the same pinyin and initials as converting the whole name, 多音字 included."""
    import random

    from pypinyin import Style, lazy_pinyin

    from cases.identity import normalize_name, spelled
    from cases.services.students import name_initials

    names = ["张伟", "曾乐乐", "解晓东", "单雄信", "尉迟恭", "长孙无忌", "朴重", "阿依古丽·买买提", "王 小明", "Tom张", "区长乐",
             "查理", "覃朝阳", "乐正绫", "厦门大学", "重庆", "银行行长"]
    rng = random.Random(7)
    names += ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.choice((2, 3, 4)))) for _ in range(2000)]
    for name in names:
        text = normalize_name(name).replace("·", "").replace(" ", "")
        assert spelled(text) == "".join(lazy_pinyin(text)), name
        assert name_initials(name) == "".join(lazy_pinyin(name.strip(), style=Style.FIRST_LETTER)).lower()[:50], name
