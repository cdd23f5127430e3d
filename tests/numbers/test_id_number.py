"""Tests for cases.numbers.id_number (公民身份号码, GB 11643)."""

import datetime

import pytest

from cases.numbers.id_number import (
    IdNumberError,
    birth_date_from_id,
    gender_from_id,
    make_id_number,
    mod11_2_check_digit,
    validate_id_number,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11

# The well-known sample from GB 11643 documentation: Beijing Chaoyang, female.
SAMPLE_ID = "11010519491231002X"
# Lanzhou Chengguan, born 2012-05-17, sequence 005 (male); check digit X.
# Found with make_id_number, hardcoded here and re-verified by hand below.
LANZHOU_X_ID = "62010220120517005X"


def hand_check_digit(first17):
    """Independent ISO 7064 MOD 11-2 implementation with the GB 11643 weights."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def assert_error(code, value, **kwargs):
    with pytest.raises(IdNumberError) as info:
        validate_id_number(value, **kwargs)
    assert info.value.code == code
    assert info.value.message  # a Chinese message is always present
    return info.value


# --- valid numbers ---------------------------------------------------------


def test_well_known_sample_is_valid():
    assert validate_id_number(SAMPLE_ID) == SAMPLE_ID
    assert birth_date_from_id(SAMPLE_ID) == datetime.date(1949, 12, 31)
    assert gender_from_id(SAMPLE_ID) == "F"


def test_lanzhou_number_with_x_check_digit_is_valid():
    assert hand_check_digit(LANZHOU_X_ID[:17]) == "X"
    assert validate_id_number(LANZHOU_X_ID) == LANZHOU_X_ID
    assert make_id_number("620102", datetime.date(2012, 5, 17), 5) == LANZHOU_X_ID
    assert birth_date_from_id(LANZHOU_X_ID) == datetime.date(2012, 5, 17)
    assert gender_from_id(LANZHOU_X_ID) == "M"


def test_lower_case_x_is_normalised():
    assert validate_id_number(LANZHOU_X_ID.lower()) == LANZHOU_X_ID
    assert validate_id_number("11010519491231002x") == SAMPLE_ID


def test_surrounding_spaces_and_full_width_input_are_normalised():
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert validate_id_number(f"  {full_width} ") == SAMPLE_ID


@pytest.mark.parametrize("sequence", [1, 2, 37, 500, 998, 999])
def test_make_id_number_builds_valid_gansu_numbers(sequence):
    born = datetime.date(2014, 9, 1)
    number = make_id_number("620102", born, sequence)
    assert len(number) == 18
    assert number[:17] == f"62010220140901{sequence:03d}"
    assert number[17] == hand_check_digit(number[:17])
    assert validate_id_number(number, birth_date=born) == number
    assert gender_from_id(number) == ("M" if sequence % 2 else "F")


def test_mod11_2_check_digit_matches_hand_computation():
    for first17 in ("62010220120517005", "11010519491231002", "62290120100101000"):
        assert mod11_2_check_digit(first17) == hand_check_digit(first17)
    assert mod11_2_check_digit("62010220120517005") == "X"
    assert mod11_2_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("bad", ["1234567890123456", "6201022012051700５", "abcdefghijklmnopq"])
def test_mod11_2_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        mod11_2_check_digit(bad)


def test_matching_birth_date_and_gender_are_accepted():
    assert (
        validate_id_number(SAMPLE_ID, birth_date=datetime.date(1949, 12, 31), gender="F")
        == SAMPLE_ID
    )
    # A datetime must not count as a mismatch just because it is a datetime.
    validate_id_number(SAMPLE_ID, birth_date=datetime.datetime(1949, 12, 31, 8, 0))


def test_newborn_with_todays_birth_date_is_valid():
    number = make_id_number("620102", datetime.date.today(), 1)
    assert validate_id_number(number) == number


# --- invalid numbers -------------------------------------------------------


def test_wrong_check_digit():
    assert_error("id_checksum", "110105194912310021")
    assert_error("id_checksum", LANZHOU_X_ID[:17] + "0")
    err = assert_error("id_checksum", SAMPLE_ID[:16] + "3X")
    assert err.message == "公民身份号码校验位错误"


@pytest.mark.parametrize("value", ["", "11010519491231002", "11010519491231002X0", "1" * 15])
def test_wrong_length(value):
    err = assert_error("id_length", value)
    assert err.message == "公民身份号码应为18位"


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231A02X",  # letter in the body
        "11010519491231002Y",  # check character other than X
        "X10105194912310021",  # X anywhere but last
        "110105-19491231002",  # separator counts as a bad character
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are digits, but not ASCII
    ],
)
def test_letters_and_other_characters(value):
    assert_error("id_format", value)


def test_non_string_is_a_format_error():
    assert_error("id_format", 110105194912310020)
    assert_error("id_format", None)


def test_impossible_date_with_correct_check_digit():
    first17 = "62010220230230001"  # 30 February 2023
    number = first17 + hand_check_digit(first17)
    err = assert_error("id_birth_date", number)
    assert "出生日期" in err.message


def test_future_birth_date():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert_error("id_birth_date", make_id_number("620102", tomorrow, 1))
    assert_error("id_birth_date", make_id_number("620102", datetime.date(2999, 1, 1), 1))


def test_birth_date_before_1900():
    assert_error("id_birth_date", make_id_number("110105", datetime.date(1899, 12, 31), 1))


def test_unknown_area_code():
    first17 = "99010120100101001"
    number = first17 + hand_check_digit(first17)
    err = assert_error("id_area_code", number)
    assert err.message == "公民身份号码中的地区码不存在"


def test_unknown_county_in_known_province():
    # stdnum 2.2 raises KeyError (not a ValidationError) for this case.
    number = make_id_number("629999", datetime.date(2010, 1, 1), 1)
    assert_error("id_area_code", number)


def test_area_code_known_but_not_in_force_in_birth_year_is_accepted():
    # 620102 (Lanzhou Chengguan) exists only since 1983; household registers still issue
    # such numbers after reorganisations, so only codes unknown altogether are refused.
    number = make_id_number("620102", datetime.date(1970, 1, 1), 1)
    assert validate_id_number(number) == number


def test_birth_date_mismatch():
    err = assert_error("id_birth_date_mismatch", SAMPLE_ID, birth_date=datetime.date(1949, 12, 30))
    assert err.message == "出生日期与公民身份号码不一致"


def test_gender_mismatch():
    err = assert_error("id_gender_mismatch", SAMPLE_ID, gender="M")
    assert err.message == "性别与公民身份号码不一致"
    assert_error("id_gender_mismatch", LANZHOU_X_ID, gender="F")


def test_invalid_gender_argument_is_a_programming_error():
    with pytest.raises(ValueError) as info:
        validate_id_number(SAMPLE_ID, gender="female")
    assert not isinstance(info.value, IdNumberError)


def test_error_is_a_value_error_with_code_and_message():
    with pytest.raises(ValueError) as info:
        validate_id_number("123")
    assert isinstance(info.value, IdNumberError)
    assert info.value.code == "id_length"
    assert str(info.value) == info.value.message


def test_helpers_validate_their_input():
    with pytest.raises(IdNumberError):
        birth_date_from_id("110105194912310021")
    with pytest.raises(IdNumberError):
        gender_from_id("bogus")


@pytest.mark.parametrize(
    "args",
    [
        ("62010", datetime.date(2010, 1, 1), 1),
        ("62010a", datetime.date(2010, 1, 1), 1),
        ("620102", datetime.date(2010, 1, 1), 0),
        ("620102", datetime.date(2010, 1, 1), 1000),
        ("620102", datetime.date(2010, 1, 1), True),
        ("620102", "20100101", 1),
    ],
)
def test_make_id_number_rejects_bad_arguments(args):
    with pytest.raises((ValueError, TypeError)):
        make_id_number(*args)


def test_mod11_2_check_digit_equals_the_library_on_random_numbers():
    import random

    from stdnum.iso7064 import mod_11_2

    rng = random.Random(11)
    for _ in range(20000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert mod11_2_check_digit(first17) == mod_11_2.calc_check_digit(first17)
    for bad in ("6201022012051700", "6201022012051700A", "６２０１０２２０１２０５１７００５", ""):
        with pytest.raises(ValueError):
            mod11_2_check_digit(bad)
