"""Tests for the legacy 16-digit local student number (cases.numbers.legacy)."""

import dataclasses
import itertools
from datetime import date
from types import SimpleNamespace

import pytest

from cases.numbers import legacy
from cases.numbers.legacy import (
    LegacyNumber,
    LegacyNumberError,
    build_legacy_number,
    get_check_digit_algorithm,
    iso7064_mod11_10,
    mod10_luhn,
    no_check,
    parse_legacy_number,
)

TODAY = date(2024, 6, 1)

# 62 | 01 | 1 (初中) | 123 | 1 (初中生) | 27 | 03 | 12 | check
BODY = "620111231270312"
# ISO 7064 MOD 11,10 worked by hand (P starts at 10; per digit d:
# S = (P + d) mod 10, 0 -> 10; P = 2*S mod 11; check = (11 - P) mod 10):
#   d=6 S=6 P=1 | d=2 S=3 P=6 | d=0 S=6 P=1 | d=1 S=2 P=4 | d=1 S=5 P=10
#   d=1 S=1 P=2 | d=2 S=4 P=8 | d=3 S=1 P=2 | d=1 S=3 P=6 | d=2 S=8 P=5
#   d=7 S=2 P=4 | d=0 S=4 P=8 | d=3 S=1 P=2 | d=1 S=3 P=6 | d=2 S=8 P=5
#   check = (11 - 5) mod 10 = 6
VALID = BODY + "6"
# Luhn by hand: BODY reversed is 2,1,3,0,7,2,1,3,2,1,1,1,0,2,6; double every
# other digit starting with the first (2,3,7,1,2,1,0,6 -> 4,6,5,2,4,2,0,3 = 26,
# 14 -> 1+4 = 5, 12 -> 1+2 = 3), keep the rest (1,0,2,3,1,1,2 = 10);
# total 36, check = (10 - 6) mod 10 = 4
VALID_LUHN = BODY + "4"


def _iso7064_mod11_10_reference(body):
    """Independent textbook form of ISO 7064 MOD 11,10 (not stdnum's)."""
    p = 10
    for ch in body:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


def _luhn_reference(body):
    """Independent Luhn: double every second digit from the right of body."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _wrong(digit):
    return str((int(digit) + 1) % 10)


# --------------------------------------------------------------------------
# check digit algorithms
# --------------------------------------------------------------------------


def test_default_check_digit_known_vector():
    assert _iso7064_mod11_10_reference(BODY) == "6"
    assert iso7064_mod11_10(BODY) == "6"
    # Published example from ISO 7064 / python-stdnum docs.
    assert iso7064_mod11_10("79462") == "3"
    assert _iso7064_mod11_10_reference("79462") == "3"


@pytest.mark.parametrize("body", ["000000000000000", "999999999999999", "620599912501010", BODY])
def test_default_matches_reference_and_is_always_a_digit(body):
    digit = iso7064_mod11_10(body)
    assert digit == _iso7064_mod11_10_reference(body)
    assert len(digit) == 1 and digit in "0123456789"


def test_luhn_known_vectors():
    assert mod10_luhn("7894") == "9"  # textbook example
    assert _luhn_reference(BODY) == "4"
    assert mod10_luhn(BODY) == "4"


def test_default_algorithm_accepts_valid_and_refuses_wrong_digit():
    parsed = parse_legacy_number(VALID, check_digit=iso7064_mod11_10, today=TODAY)
    assert parsed.check_digit == "6"
    assert parsed.check_digit_verified is True
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(BODY + "5", check_digit=iso7064_mod11_10, today=TODAY)
    assert exc.value.code == "legacy_check_digit"
    assert "6" in exc.value.message


def test_default_used_when_settings_not_configured(monkeypatch):
    monkeypatch.setattr(legacy, "settings", SimpleNamespace(configured=False))
    assert get_check_digit_algorithm(None) is iso7064_mod11_10
    assert parse_legacy_number(VALID, today=TODAY).raw == VALID
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(VALID_LUHN, today=TODAY)
    assert exc.value.code == "legacy_check_digit"


def test_default_used_when_setting_absent(monkeypatch):
    monkeypatch.setattr(legacy, "settings", SimpleNamespace(configured=True))
    assert get_check_digit_algorithm(None) is iso7064_mod11_10


def test_setting_selects_algorithm(monkeypatch):
    monkeypatch.setattr(
        legacy,
        "settings",
        SimpleNamespace(configured=True, XUEJI_LEGACY_CHECK_DIGIT="cases.numbers.legacy.mod10_luhn"),
    )
    assert get_check_digit_algorithm(None) is mod10_luhn
    assert parse_legacy_number(VALID_LUHN, today=TODAY).check_digit == "4"
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(VALID, today=TODAY)
    assert exc.value.code == "legacy_check_digit"
    # An explicit argument still wins over the setting.
    assert parse_legacy_number(VALID, check_digit=iso7064_mod11_10, today=TODAY).raw == VALID


def test_pluggable_callable():
    def always_seven(body):
        assert body == BODY  # receives exactly the first 15 digits
        return "7"

    assert parse_legacy_number(BODY + "7", check_digit=always_seven, today=TODAY).check_digit == "7"
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(VALID, check_digit=always_seven, today=TODAY)
    assert exc.value.code == "legacy_check_digit"


def test_pluggable_dotted_path():
    path = "cases.numbers.legacy.mod10_luhn"
    assert get_check_digit_algorithm(path) is mod10_luhn
    assert parse_legacy_number(VALID_LUHN, check_digit=path, today=TODAY).check_digit == "4"
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(VALID, check_digit=path, today=TODAY)
    assert exc.value.code == "legacy_check_digit"


def test_bad_dotted_path_is_a_configuration_error():
    with pytest.raises(ImportError):
        get_check_digit_algorithm("cases.numbers.legacy.does_not_exist")


def test_non_callable_spec_rejected():
    with pytest.raises(TypeError):
        get_check_digit_algorithm(42)


def test_broken_plugin_fails_loudly():
    with pytest.raises(ValueError) as exc:
        parse_legacy_number(VALID, check_digit=lambda body: "12", today=TODAY)
    assert not isinstance(exc.value, LegacyNumberError)


@pytest.mark.parametrize("digit", list("0123456789"))
def test_no_check_accepts_any_digit(digit):
    parsed = parse_legacy_number(BODY + digit, check_digit=no_check, today=TODAY)
    assert parsed.check_digit == digit
    assert parsed.check_digit_verified is False
    assert parsed.explain()[-1] == ("校验位", digit, "校验位，未校验")


def test_no_check_by_path_still_validates_structure():
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number("6201812312703126", check_digit="cases.numbers.legacy.no_check")
    assert exc.value.code == "legacy_school_category"


# --------------------------------------------------------------------------
# parsing and explanation
# --------------------------------------------------------------------------


def test_parse_fields():
    parsed = parse_legacy_number(VALID, check_digit=iso7064_mod11_10, today=TODAY)
    assert parsed == LegacyNumber(
        raw=VALID,
        province_city="62",
        county="01",
        school_category="1",
        school_category_name="初中",
        school="123",
        student_category="1",
        student_category_name="初中生",
        graduation_year=2027,
        class_number="03",
        student_number="12",
        check_digit="6",
        check_digit_verified=True,
    )


def test_parse_strips_whitespace():
    parsed = parse_legacy_number(f"  {VALID}\n", check_digit=iso7064_mod11_10, today=TODAY)
    assert parsed.raw == VALID


def test_parsed_value_is_frozen():
    parsed = parse_legacy_number(VALID, check_digit=iso7064_mod11_10, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.county = "02"


def test_explain_every_part():
    parsed = parse_legacy_number(VALID, check_digit=iso7064_mod11_10, today=TODAY)
    assert parsed.explain() == [
        ("省市位", "62", "省市代码（由教委定义）"),
        ("区县", "01", "区县代码"),
        ("学校类别", "1", "初中"),
        ("学校", "123", "学校代码后三位"),
        ("学生类别", "1", "初中生"),
        ("届别", "27", "2027届（预计2027年毕业）"),
        ("班", "03", "3班"),
        ("学号", "12", "班内学号12号"),
        ("校验位", "6", "校验位，已校验通过"),
    ]
    # The values are the number itself, cut in order.
    assert "".join(value for _, value, _ in parsed.explain()) == VALID


@pytest.mark.parametrize(
    "school_category, name",
    [
        ("0", "小学"),
        ("1", "初中"),
        ("2", "小学、初中并存学校（九年一贯制）"),
        ("3", "小学、初中、高中并存学校"),
        ("4", "完中"),
        ("5", "普高"),
        ("6", "职高"),
        ("7", "职普高并存学校"),
    ],
)
def test_school_category_meanings(school_category, name):
    # pick a student category every school category can hold
    student_category = {"0": "0", "1": "1", "2": "0", "3": "2", "4": "1", "5": "2", "6": "3", "7": "3"}[
        school_category
    ]
    raw = f"6201{school_category}123{student_category}2703120"
    parsed = parse_legacy_number(raw, check_digit=no_check, today=TODAY)
    assert parsed.school_category_name == name
    assert parsed.explain()[2] == ("学校类别", school_category, name)


@pytest.mark.parametrize(
    "school_category, student_category, name",
    [("0", "0", "小学生"), ("1", "1", "初中生"), ("5", "2", "普高学生"), ("6", "3", "职高学生")],
)
def test_student_category_meanings(school_category, student_category, name):
    raw = f"6201{school_category}123{student_category}2703120"
    parsed = parse_legacy_number(raw, check_digit=no_check, today=TODAY)
    assert parsed.student_category_name == name
    assert parsed.explain()[4] == ("学生类别", student_category, name)


# --------------------------------------------------------------------------
# graduation year (届别)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "yy, year",
    [
        ("00", 2000),
        ("24", 2024),
        ("27", 2027),
        ("34", 2034),  # exactly 10 years ahead: still 20yy
        ("35", 1935),  # 11 years ahead: must be 19yy
        ("98", 1998),
        ("99", 1999),
    ],
)
def test_graduation_year_interpretation(yy, year):
    raw = f"620111231{yy}03120"
    assert parse_legacy_number(raw, check_digit=no_check, today=TODAY).graduation_year == year


def test_graduation_year_window_moves_with_today():
    raw = "620111231350312" + "0"
    assert parse_legacy_number(raw, check_digit=no_check, today=date(2024, 1, 1)).graduation_year == 1935
    assert parse_legacy_number(raw, check_digit=no_check, today=date(2025, 1, 1)).graduation_year == 2035


def test_graduation_year_defaults_to_today():
    raw = "620111231000312" + "0"
    assert parse_legacy_number(raw, check_digit=no_check).graduation_year == 2000


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "legacy_length"),
        (BODY, "legacy_length"),  # 15 digits
        (VALID + "0", "legacy_length"),  # 17 digits
        ("6201112312 703126", "legacy_length"),  # inner space is not stripped
        ("62011123127031a6", "legacy_not_digits"),
        ("620111231270312６", "legacy_not_digits"),  # full-width digit
        ("6201812312703126", "legacy_school_category"),
        ("6201912312703126", "legacy_school_category"),
        ("6201112342703126", "legacy_student_category"),
        ("6201112392703126", "legacy_student_category"),
        ("6201012322703126", "legacy_category_mismatch"),  # 小学 with 普高学生
        ("6201512312703126", "legacy_category_mismatch"),  # 普高 with 初中生
        ("6201112312700126", "legacy_class"),
        ("6201112312703006", "legacy_student"),
        (BODY + "5", "legacy_check_digit"),
    ],
)
def test_error_codes(raw, code):
    with pytest.raises(LegacyNumberError) as exc:
        parse_legacy_number(raw, check_digit=iso7064_mod11_10, today=TODAY)
    err = exc.value
    assert isinstance(err, ValueError)
    assert err.code == code
    assert err.message and str(err) == err.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)  # Chinese text


def test_non_string_rejected():
    with pytest.raises(TypeError):
        parse_legacy_number(6201112312703126)


EXPECTED_ALLOWED = {
    "0": {"0"},
    "1": {"1"},
    "2": {"0", "1"},
    "3": {"0", "1", "2"},
    "4": {"1", "2"},
    "5": {"2"},
    "6": {"3"},
    "7": {"2", "3"},
}


@pytest.mark.parametrize("school_category, student_category", list(itertools.product("01234567", "0123")))
def test_category_compatibility_table(school_category, student_category):
    raw = f"6201{school_category}123{student_category}2703120"
    if student_category in EXPECTED_ALLOWED[school_category]:
        parsed = parse_legacy_number(raw, check_digit=no_check, today=TODAY)
        assert parsed.student_category == student_category
    else:
        with pytest.raises(LegacyNumberError) as exc:
            parse_legacy_number(raw, check_digit=no_check, today=TODAY)
        assert exc.value.code == "legacy_category_mismatch"


# --------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------

PARTS = dict(
    province_city=62,
    county=1,
    school_category=1,
    school=123,
    student_category=1,
    graduation_year=2027,
    class_number=3,
    student_number=12,
)


def test_build_zero_pads_and_appends_default_check_digit():
    assert build_legacy_number(**PARTS, check_digit=iso7064_mod11_10) == VALID
    small = build_legacy_number(
        province_city=62,
        county=5,
        school_category=0,
        school=7,
        student_category=0,
        graduation_year=2030,
        class_number=1,
        student_number=4,
        check_digit=iso7064_mod11_10,
    )
    assert small[:15] == "620500070300104"
    assert small[15] == _iso7064_mod11_10_reference("620500070300104")


def test_build_accepts_strings_and_two_digit_years():
    as_strings = dict(
        province_city="62",
        county="01",
        school_category="1",
        school="123",
        student_category="1",
        class_number="03",
        student_number="12",
    )
    for year in (2027, "2027", 27, "27"):
        assert build_legacy_number(**as_strings, graduation_year=year, check_digit=iso7064_mod11_10) == VALID


def test_build_with_pluggable_algorithm():
    assert build_legacy_number(**PARTS, check_digit=mod10_luhn) == VALID_LUHN
    assert build_legacy_number(**PARTS, check_digit="cases.numbers.legacy.mod10_luhn") == VALID_LUHN


def test_build_uses_setting(monkeypatch):
    monkeypatch.setattr(
        legacy,
        "settings",
        SimpleNamespace(configured=True, XUEJI_LEGACY_CHECK_DIGIT="cases.numbers.legacy.mod10_luhn"),
    )
    assert build_legacy_number(**PARTS) == VALID_LUHN


def test_build_parse_round_trip():
    for algorithm in (iso7064_mod11_10, mod10_luhn):
        raw = build_legacy_number(
            province_city=62,
            county=24,
            school_category=7,
            school=908,
            student_category=3,
            graduation_year=2026,
            class_number=11,
            student_number=45,
            check_digit=algorithm,
        )
        parsed = parse_legacy_number(raw, check_digit=algorithm, today=TODAY)
        assert (
            parsed.province_city,
            parsed.county,
            parsed.school_category,
            parsed.school,
            parsed.student_category,
            parsed.graduation_year,
            parsed.class_number,
            parsed.student_number,
        ) == ("62", "24", "7", "908", "3", 2026, "11", "45")
        assert parsed.school_category_name == "职普高并存学校"
        assert parsed.student_category_name == "职高学生"
        assert parsed.check_digit == algorithm(raw[:15])


@pytest.mark.parametrize(
    "override, code",
    [
        (dict(school_category=8), "legacy_school_category"),
        (dict(student_category=4), "legacy_student_category"),
        (dict(school_category=6, student_category=2), "legacy_category_mismatch"),
        (dict(class_number=0), "legacy_class"),
        (dict(student_number="00"), "legacy_student"),
        (dict(school=1234), "legacy_length"),
        (dict(school="12"), "legacy_length"),  # strings are not padded
        (dict(county=-1), "legacy_not_digits"),
        (dict(county="0a"), "legacy_not_digits"),
        (dict(graduation_year=123), "legacy_length"),
    ],
)
def test_build_validates_inputs(override, code):
    with pytest.raises(LegacyNumberError) as exc:
        build_legacy_number(**{**PARTS, **override}, check_digit=iso7064_mod11_10)
    assert exc.value.code == code


def test_build_refuses_no_check():
    with pytest.raises(LegacyNumberError) as exc:
        build_legacy_number(**PARTS, check_digit=no_check)
    assert exc.value.code == "legacy_check_digit_unavailable"


def test_build_rejects_bool():
    with pytest.raises(TypeError):
        build_legacy_number(**{**PARTS, "school_category": True}, check_digit=iso7064_mod11_10)
