"""Resident ID number (公民身份号码, GB 11643-1999) validation and construction.

The number has 18 characters: a 6-digit administrative area code, the birth
date as YYYYMMDD, a 3-digit sequence whose parity encodes the gender (odd =
male, even = female) and an ISO 7064 MOD 11-2 check digit, where 'X' stands
for 10.

Pure Python on purpose (no Django imports): the registry-number module, forms,
importers and demo-data builders all share these rules, and they must be
testable without a database.
"""

from __future__ import annotations

import datetime
import functools
import unicodedata

from stdnum import numdb

__all__ = [
    "GENDER_FEMALE",
    "GENDER_MALE",
    "ID_NUMBER_LENGTH",
    "MIN_BIRTH_YEAR",
    "IdNumberError",
    "birth_date_from_id",
    "gender_from_id",
    "gender_from_sequence",
    "make_id_number",
    "mod11_2_check_digit",
    "normalize_number_text",
    "parse_birth_date",
    "validate_id_number",
]

ID_NUMBER_LENGTH = 18
GENDER_MALE = "M"
GENDER_FEMALE = "F"
# Nobody alive (or enrolled) was born earlier; older dates are typos.
MIN_BIRTH_YEAR = 1900

_ASCII_DIGITS = frozenset("0123456789")


class IdNumberError(ValueError):
    """An invalid resident ID number.

    ``code`` is stable and machine-readable (forms, APIs and import reports
    branch on it); ``message`` is the Chinese text shown to users.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


def normalize_number_text(value: object) -> str:
    """Return ``value`` stripped, NFKC-folded and upper-cased.

    Users type these numbers through Chinese input methods, which often
    produce full-width digits ("１２３") or a lower-case / full-width 'x';
    NFKC folds those to ASCII so they are neither refused nor stored twice in
    different spellings.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return unicodedata.normalize("NFKC", value).strip().upper()


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone would also accept e.g. Arabic-Indic or superscript digits.
    return bool(text) and text.isascii() and text.isdigit()


# ISO 7064 MOD 11-2 as GB 11643 writes it: weights 2^(17-i) mod 11, check (12 - S mod 11) mod 11.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def mod11_2_check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') (equal to python-stdnum's
    ``mod_11_2.calc_check_digit``, computed inline: the province seed asks it five million times)."""
    if len(first17) != ID_NUMBER_LENGTH - 1 or not _is_ascii_digits(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    value = (12 - sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11) % 11
    return "X" if value == 10 else str(value)


def parse_birth_date(yyyymmdd: str, *, today: datetime.date | None = None) -> datetime.date:
    """Parse an 8-digit birth date and reject impossible or implausible ones.

    Raises a plain ``ValueError`` carrying a Chinese message; callers wrap it
    in their own error type so each number kind keeps its own error code.
    A birth date of today is allowed (newborns get numbers); one in the future
    or before ``MIN_BIRTH_YEAR`` cannot be right.
    """
    if len(yyyymmdd) != 8 or not _is_ascii_digits(yyyymmdd):
        raise ValueError("出生日期应为8位数字（YYYYMMDD）")
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise ValueError("出生日期不存在") from None
    if born.year < MIN_BIRTH_YEAR:
        raise ValueError(f"出生日期不能早于{MIN_BIRTH_YEAR}年")
    if born > (today or datetime.date.today()):
        raise ValueError("出生日期不能晚于今天")
    return born


def gender_from_sequence(sequence: str) -> str:
    """Return "M" for an odd sequence code and "F" for an even one."""
    return GENDER_MALE if int(sequence) % 2 == 1 else GENDER_FEMALE


def _check_gender_argument(gender: str) -> None:
    # A wrong value here is a programming error, not bad user data.
    if gender not in (GENDER_MALE, GENDER_FEMALE):
        raise ValueError(f"gender must be {GENDER_MALE!r} or {GENDER_FEMALE!r}, got {gender!r}")


def _as_date(value: datetime.date) -> datetime.date:
    # datetime is a date subclass, but datetime(...) == date(...) is always
    # False, which would turn every comparison into a bogus mismatch.
    if isinstance(value, datetime.datetime):
        return value.date()
    if not isinstance(value, datetime.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value


@functools.lru_cache(maxsize=8192)
def _area_code_known(area_code: str) -> bool:
    """Whether stdnum's table lists the county code at all (any period). Cached: a table
    look-up of a few thousand codes, asked for every row of an intake."""
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(area_code):
        info.update(props)
    return "county" in info


def _check_area_code(number: str) -> None:
    """Refuse area codes that stdnum does not know at all.

    A code known but not in force in the birth year is accepted: household registers issue
    numbers with codes of later reorganisations, and refusing them would refuse real children.
    """
    if not _area_code_known(number[:6]):
        raise IdNumberError("id_area_code", "公民身份号码中的地区码不存在")


def validate_id_number(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    gender: str | None = None,
) -> str:
    """Validate a resident ID number and return it normalized (upper-case 'X').

    Checks run from cheapest to most specific so the reported code points at
    the first thing the user must fix: length, characters, check digit, birth
    date, area code, then agreement with the ``birth_date`` / ``gender``
    ("M"/"F") recorded elsewhere on the student's file.
    """
    if not isinstance(value, str):
        raise IdNumberError("id_format", "公民身份号码格式错误")
    number = normalize_number_text(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise IdNumberError("id_length", "公民身份号码应为18位")
    if not _is_ascii_digits(number[:17]) or not (
        number[17] in _ASCII_DIGITS or number[17] == "X"
    ):
        raise IdNumberError("id_format", "公民身份号码前17位应为数字，末位应为数字或X")
    if number[17] != mod11_2_check_digit(number[:17]):
        raise IdNumberError("id_checksum", "公民身份号码校验位错误")
    try:
        born = parse_birth_date(number[6:14])
    except ValueError as exc:
        raise IdNumberError("id_birth_date", f"公民身份号码中的{exc}") from None
    _check_area_code(number)

    if birth_date is not None and _as_date(birth_date) != born:
        raise IdNumberError("id_birth_date_mismatch", "出生日期与公民身份号码不一致")
    if gender is not None:
        _check_gender_argument(gender)
        if gender_from_sequence(number[14:17]) != gender:
            raise IdNumberError("id_gender_mismatch", "性别与公民身份号码不一致")
    return number


def birth_date_from_id(value: str) -> datetime.date:
    """Return the birth date of a (fully validated) resident ID number."""
    number = validate_id_number(value)
    return parse_birth_date(number[6:14])


def gender_from_id(value: str) -> str:
    """Return "M" or "F" from the sequence parity of a valid ID number."""
    number = validate_id_number(value)
    return gender_from_sequence(number[14:17])


def make_id_number(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Build an 18-character number with a correct check digit.

    Only the structure is guaranteed: the area code is not looked up and the
    date is not range-checked, so demo data and tests can also build
    checksum-correct numbers that fail later checks (unknown area, future
    birth date).  Pass the result through ``validate_id_number`` when a
    fully valid number is required.
    """
    if not isinstance(area_code, str) or len(area_code) != 6 or not _is_ascii_digits(area_code):
        raise ValueError("area_code must be 6 ASCII digits")
    born = _as_date(birth_date)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= 999:
        raise ValueError("sequence must be an int in 1..999")
    # Explicit padding: strftime("%Y") does not zero-pad years < 1000 on glibc.
    first17 = f"{area_code}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
    return first17 + mod11_2_check_digit(first17)
