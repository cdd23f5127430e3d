"""Tests for cases.numbers.registry_number (全国学籍号: G / J / L)."""

import dataclasses
import datetime
import random

import pytest

from cases.numbers.id_number import make_id_number
from cases.numbers.registry_number import (
    KIND_GENERATED,
    KIND_ID,
    KIND_TEMPORARY,
    RegistryNumber,
    RegistryNumberError,
    birth_date_from_registry_number,
    check_registry_number_consistency,
    convert_temporary_to_id,
    is_temporary,
    make_generated_number,
    make_temporary_number,
    parse_registry_number,
    registry_number_from_id,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

SAMPLE_ID = "11010519491231002X"  # GB 11643 sample, female, 1949-12-31
LANZHOU_X_ID = "62010220120517005X"  # Lanzhou Chengguan, male, 2012-05-17

G_NUMBER = "G" + LANZHOU_X_ID
# J number for a boy born 2013-03-08 at a school in Lanzhou Chengguan, seq 007.
J_NUMBER = "J620102201303080074"
# L number: Lanzhou Chengguan, born 2012-05-17, random digits 7701.
L_NUMBER = "L620102201205177701"


def hand_check_digit(first17):
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def assert_error(code, func, *args, **kwargs):
    with pytest.raises(RegistryNumberError) as info:
        func(*args, **kwargs)
    assert info.value.code == code
    assert info.value.message
    return info.value


def j_number(first17):
    """A J number with a correct, independently computed check digit."""
    return "J" + first17 + hand_check_digit(first17)


# --- kinds -----------------------------------------------------------------


def test_kind_constants():
    assert (KIND_ID, KIND_GENERATED, KIND_TEMPORARY) == ("G", "J", "L")


def test_parse_g_number():
    parsed = parse_registry_number(G_NUMBER)
    assert parsed == RegistryNumber(
        raw=G_NUMBER,
        kind=KIND_ID,
        area_code="620102",
        birth_date=datetime.date(2012, 5, 17),
        sequence="005",
        id_number=LANZHOU_X_ID,
        check_digit="X",
    )
    assert parsed.gender == "M"
    assert not parsed.is_temporary
    assert str(parsed) == G_NUMBER


def test_parsed_number_is_frozen():
    parsed = parse_registry_number(G_NUMBER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.raw = "G" + SAMPLE_ID


def test_parse_normalises_case_and_spaces():
    assert parse_registry_number(" g62010220120517005x ").raw == G_NUMBER
    assert parse_registry_number("l620102201205177701").raw == L_NUMBER


def test_parse_j_number():
    assert J_NUMBER[-1] == hand_check_digit(J_NUMBER[1:18])
    parsed = parse_registry_number(J_NUMBER)
    assert parsed.kind == KIND_GENERATED
    assert parsed.area_code == "620102"
    assert parsed.birth_date == datetime.date(2013, 3, 8)
    assert parsed.sequence == "007"
    assert parsed.check_digit == "4"
    assert parsed.id_number is None
    assert parsed.gender == "M"


def test_j_number_area_code_need_not_be_in_stdnum_table():
    # 629999 is not a known county, but J numbers only check the province.
    number = j_number("62999920130308002")
    assert parse_registry_number(number).area_code == "629999"
    assert parse_registry_number(number).gender == "F"


def test_parse_l_number():
    parsed = parse_registry_number(L_NUMBER)
    assert parsed.kind == KIND_TEMPORARY
    assert parsed.area_code == "620102"
    assert parsed.birth_date == datetime.date(2012, 5, 17)
    assert parsed.sequence == "7701"
    assert parsed.check_digit is None
    assert parsed.id_number is None
    assert parsed.gender is None
    assert parsed.is_temporary


# --- parse errors ----------------------------------------------------------


@pytest.mark.parametrize("value", ["X62010220120517005X", "162010220120517005X", "620102201205170053"])
def test_prefix_error(value):
    assert_error("registry_number_prefix", parse_registry_number, value)


@pytest.mark.parametrize("value", ["", "G" + LANZHOU_X_ID[:-1], J_NUMBER + "1", L_NUMBER[:-1], "L"])
def test_length_error(value):
    err = assert_error("registry_number_length", parse_registry_number, value)
    assert err.message == "学籍号应为19位"


@pytest.mark.parametrize(
    "value",
    [
        "J62010220130308007Y",
        "J6201022013030800A4",
        "L62010220120517770X",
        "L6201022012051777A1",
    ],
)
def test_format_error(value):
    assert_error("registry_number_format", parse_registry_number, value)


def test_non_string_is_a_format_error():
    assert_error("registry_number_format", parse_registry_number, 620102201205177701)


def test_checksum_error_for_j():
    wrong = J_NUMBER[:-1] + ("5" if J_NUMBER[-1] != "5" else "6")
    assert_error("registry_number_checksum", parse_registry_number, wrong)


def test_birth_date_errors_for_j_and_l():
    assert_error("registry_number_birth_date", parse_registry_number, j_number("62010220230230001"))
    assert_error("registry_number_birth_date", parse_registry_number, "L620102202302301234")
    assert_error("registry_number_birth_date", parse_registry_number, "L620102299901011234")
    assert_error("registry_number_birth_date", parse_registry_number, "L620102189912311234")


def test_area_code_errors_for_j_and_l():
    assert_error("registry_number_area_code", parse_registry_number, j_number("99010120130308007"))
    assert_error("registry_number_area_code", parse_registry_number, "L990101201205177701")
    # 83 (used on Taiwan residents' permits) is not in the province list.
    assert_error("registry_number_area_code", parse_registry_number, "L830000201205177701")


def test_g_number_errors_pass_the_id_code_through():
    assert_error("id_checksum", parse_registry_number, "G" + LANZHOU_X_ID[:17] + "0")
    assert_error("id_format", parse_registry_number, "G11010519491231A02X")
    assert_error("id_area_code", parse_registry_number, "G" + make_id_number("990101", datetime.date(2010, 1, 1), 1))
    assert_error("id_birth_date", parse_registry_number, "G" + make_id_number("620102", datetime.date(2999, 1, 1), 1))


# --- G from ID -------------------------------------------------------------


def test_registry_number_from_id():
    assert registry_number_from_id("11010519491231002x") == "G" + SAMPLE_ID
    assert_error("id_checksum", registry_number_from_id, "110105194912310021")


# --- J generation ----------------------------------------------------------


def test_make_generated_number_check_digit_is_hand_verified():
    number = make_generated_number("620523", datetime.date(2016, 11, 30), 42)
    assert number[:18] == "J62052320161130042"
    # Hand computation of ISO 7064 MOD 11-2 over 62052320161130042:
    digits = [6, 2, 0, 5, 2, 3, 2, 0, 1, 6, 1, 1, 3, 0, 0, 4, 2]
    products = [d * w for d, w in zip(digits, WEIGHTS, strict=True)]
    assert products == [42, 18, 0, 25, 16, 12, 4, 0, 6, 18, 7, 9, 30, 0, 0, 16, 4]
    assert sum(products) % 11 == 207 % 11 == 9
    assert CHECK_CHARS[9] == "3"
    assert number == "J620523201611300423"
    assert parse_registry_number(number).sequence == "042"


def test_make_generated_number_round_trips():
    born = datetime.date(2013, 3, 8)
    assert make_generated_number("620102", born, 7) == J_NUMBER
    for sequence in (1, 2, 10, 998, 999):
        number = make_generated_number("620102", born, sequence)
        assert len(number) == 19
        assert number[-1] == hand_check_digit(number[1:18])
        parsed = parse_registry_number(number)
        assert parsed.sequence == f"{sequence:03d}"
        assert parsed.gender == ("M" if sequence % 2 else "F")


def test_make_generated_number_sequence_exhausted():
    err = assert_error(
        "registry_number_sequence_exhausted",
        make_generated_number,
        "620102",
        datetime.date(2013, 3, 8),
        1000,
    )
    assert "用完" in err.message


def test_make_generated_number_rejects_non_positive_sequence():
    with pytest.raises(ValueError):
        make_generated_number("620102", datetime.date(2013, 3, 8), 0)


def test_make_generated_number_checks_area_and_date():
    assert_error("registry_number_area_code", make_generated_number, "990101", datetime.date(2013, 3, 8), 1)
    assert_error("registry_number_area_code", make_generated_number, "62010", datetime.date(2013, 3, 8), 1)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert_error("registry_number_birth_date", make_generated_number, "620102", tomorrow, 1)


# --- L generation ----------------------------------------------------------


def test_make_temporary_number_is_deterministic_with_seeded_rng():
    born = datetime.date(2012, 5, 17)
    first = make_temporary_number("620102", born, rng=random.Random(2024))
    second = make_temporary_number("620102", born, rng=random.Random(2024))
    assert first == second
    assert len(first) == 19
    assert first.startswith("L62010220120517")
    assert first[15:].isdigit()
    assert parse_registry_number(first).kind == KIND_TEMPORARY


def test_make_temporary_number_pads_random_digits():
    class FixedRng:
        def randrange(self, stop):
            assert stop == 10_000
            return 42

    number = make_temporary_number("620102", datetime.date(2012, 5, 17), rng=FixedRng())
    assert number == "L620102201205170042"


def test_make_temporary_number_default_rng_varies():
    born = datetime.date(2012, 5, 17)
    numbers = {make_temporary_number("620102", born) for _ in range(50)}
    assert len(numbers) > 1
    assert all(len(n) == 19 and is_temporary(n) for n in numbers)


def test_make_temporary_number_checks_area_and_date():
    assert_error("registry_number_area_code", make_temporary_number, "000000", datetime.date(2012, 5, 17))
    assert_error("registry_number_birth_date", make_temporary_number, "620102", datetime.date(1899, 1, 1))


# --- helpers ---------------------------------------------------------------


def test_is_temporary():
    assert is_temporary(L_NUMBER)
    assert not is_temporary(G_NUMBER)
    assert not is_temporary(J_NUMBER)
    assert not is_temporary("L123")
    assert not is_temporary(None)


def test_birth_date_from_registry_number():
    assert birth_date_from_registry_number(G_NUMBER) == datetime.date(2012, 5, 17)
    assert birth_date_from_registry_number(J_NUMBER) == datetime.date(2013, 3, 8)
    assert birth_date_from_registry_number(L_NUMBER) == datetime.date(2012, 5, 17)
    assert_error("registry_number_prefix", birth_date_from_registry_number, "Q" * 19)


def test_consistency_ok():
    born = datetime.date(2012, 5, 17)
    assert check_registry_number_consistency(G_NUMBER, birth_date=born, gender="M").raw == G_NUMBER
    check_registry_number_consistency(J_NUMBER, birth_date=datetime.date(2013, 3, 8), gender="M")
    # L digits are random: gender cannot be checked, so either is accepted.
    check_registry_number_consistency(L_NUMBER, birth_date=born, gender="M")
    check_registry_number_consistency(L_NUMBER, birth_date=born, gender="F")


@pytest.mark.parametrize("number", [G_NUMBER, J_NUMBER, L_NUMBER])
def test_consistency_birth_date_mismatch(number):
    assert_error(
        "registry_number_birth_date_mismatch",
        check_registry_number_consistency,
        number,
        birth_date=datetime.date(2011, 1, 1),
    )


def test_consistency_gender_mismatch():
    assert_error(
        "id_gender_mismatch",
        check_registry_number_consistency,
        G_NUMBER,
        birth_date=datetime.date(2012, 5, 17),
        gender="F",
    )
    assert_error(
        "id_gender_mismatch",
        check_registry_number_consistency,
        J_NUMBER,
        birth_date=datetime.date(2013, 3, 8),
        gender="F",
    )


# --- L -> G conversion -----------------------------------------------------


def test_convert_temporary_to_id():
    assert convert_temporary_to_id(L_NUMBER, LANZHOU_X_ID.lower()) == G_NUMBER


def test_convert_refuses_birth_date_mismatch():
    err = assert_error("registry_number_conversion_birth_date", convert_temporary_to_id, L_NUMBER, SAMPLE_ID)
    assert "出生日期" in err.message


def test_convert_refuses_non_temporary_numbers():
    assert_error("registry_number_not_temporary", convert_temporary_to_id, G_NUMBER, LANZHOU_X_ID)
    assert_error("registry_number_not_temporary", convert_temporary_to_id, J_NUMBER, LANZHOU_X_ID)


def test_convert_refuses_invalid_id_number():
    assert_error("id_checksum", convert_temporary_to_id, L_NUMBER, LANZHOU_X_ID[:17] + "1")
