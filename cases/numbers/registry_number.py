"""National student registry number (全国学籍号) parsing and generation.

A registry number is lifelong and has 19 characters: a kind letter followed
by 18 characters.

* ``G`` + the student's resident ID number (公民身份号码).
* ``J`` + an ID-like number generated for a student without an ID number:
  the school's 6-digit county code, birth date, a 3-digit sequence whose
  parity follows the ID gender rule, and a MOD 11-2 check digit.
* ``L`` + area code + birth date + 4 random digits: temporary, for Hong Kong,
  Macao and Taiwan students, foreign students and students without a
  household register; converted to ``G`` once an ID number is verified.

Uniqueness and the L -> G conversion history live in the database layer;
this module only knows the number rules, so it stays pure Python.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import secrets

from .id_number import (
    GENDER_FEMALE,
    GENDER_MALE,
    IdNumberError,
    gender_from_sequence,
    mod11_2_check_digit,
    normalize_number_text,
    parse_birth_date,
    validate_id_number,
)

__all__ = [
    "KIND_GENERATED",
    "KIND_ID",
    "KIND_TEMPORARY",
    "PROVINCE_CODES",
    "REGISTRY_NUMBER_LENGTH",
    "RegistryNumber",
    "RegistryNumberError",
    "RegistryNumberKind",
    "birth_date_from_registry_number",
    "check_registry_number_consistency",
    "convert_temporary_to_id",
    "is_temporary",
    "make_generated_number",
    "make_temporary_number",
    "parse_registry_number",
    "registry_number_from_id",
]

REGISTRY_NUMBER_LENGTH = 19


class RegistryNumberKind(enum.StrEnum):
    """The leading letter; a StrEnum so members compare equal to "G" etc."""

    ID = "G"
    GENERATED = "J"
    TEMPORARY = "L"


KIND_ID = RegistryNumberKind.ID
KIND_GENERATED = RegistryNumberKind.GENERATED
KIND_TEMPORARY = RegistryNumberKind.TEMPORARY

# Province-level codes of GB/T 2260.  J and L numbers carry school area codes
# that may be newer than stdnum's county table, so only the province prefix
# is checked for them.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

_MAX_GENERATED_SEQUENCE = 999
_TEMPORARY_RANDOM_DIGITS = 4
_ASCII_DIGITS = frozenset("0123456789")


class RegistryNumberError(ValueError):
    """An invalid registry number, or an invalid operation on one.

    ``code`` is machine-readable; ``message`` is the Chinese user text.  For
    ``G`` numbers the ID-number codes ("id_checksum", ...) are passed through
    unchanged so the user is told exactly what is wrong with the ID part.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    @classmethod
    def from_id_error(cls, error: IdNumberError) -> RegistryNumberError:
        return cls(error.code, error.message)


@dataclasses.dataclass(frozen=True)
class RegistryNumber:
    """A parsed, valid registry number.

    ``raw`` is the normalized 19-character number (what should be stored),
    ``sequence`` is kept as text because its leading zeros are significant,
    ``id_number`` is set only for ``G`` and ``check_digit`` is None for ``L``.
    """

    raw: str
    kind: RegistryNumberKind
    area_code: str
    birth_date: datetime.date
    sequence: str
    id_number: str | None
    check_digit: str | None

    def __str__(self) -> str:
        return self.raw

    @property
    def is_temporary(self) -> bool:
        return self.kind == KIND_TEMPORARY

    @property
    def gender(self) -> str | None:
        """ "M"/"F" for G and J numbers; None for L, whose digits are random."""
        if self.kind == KIND_TEMPORARY:
            return None
        return gender_from_sequence(self.sequence)


def _is_ascii_digits(text: str) -> bool:
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def _check_area_code(area_code: str) -> None:
    if not _is_ascii_digits(area_code) or len(area_code) != 6:
        raise RegistryNumberError("registry_number_area_code", "学籍号中的地区码应为6位数字")
    if area_code[:2] not in PROVINCE_CODES:
        raise RegistryNumberError("registry_number_area_code", "学籍号中的地区码省份代码不存在")


def _parse_birth_date(yyyymmdd: str) -> datetime.date:
    try:
        return parse_birth_date(yyyymmdd)
    except ValueError as exc:
        raise RegistryNumberError("registry_number_birth_date", f"学籍号中的{exc}") from None


def _as_date(value: datetime.date) -> datetime.date:
    # datetime(...) never equals date(...), so fold datetimes to dates.
    if isinstance(value, datetime.datetime):
        return value.date()
    if not isinstance(value, datetime.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value


def _yyyymmdd(value: datetime.date) -> str:
    # Explicit padding: strftime("%Y") does not zero-pad years < 1000 on glibc.
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _check_birth_date_argument(birth_date: datetime.date) -> datetime.date:
    """Validate a birth date passed to a generator, with the parse-time rules."""
    return _parse_birth_date(_yyyymmdd(_as_date(birth_date)))


def parse_registry_number(value: str) -> RegistryNumber:
    """Parse and fully validate a registry number.

    Input is normalized like ID numbers (surrounding spaces, full-width
    characters, lower case).  ``G`` numbers are delegated to
    ``validate_id_number`` so both numbers obey exactly the same rules.
    """
    if not isinstance(value, str):
        raise RegistryNumberError("registry_number_format", "学籍号格式错误")
    number = normalize_number_text(value)
    if not number:
        raise RegistryNumberError("registry_number_length", "学籍号应为19位")
    try:
        kind = RegistryNumberKind(number[0])
    except ValueError:
        raise RegistryNumberError("registry_number_prefix", "学籍号应以G、J或L开头") from None
    if len(number) != REGISTRY_NUMBER_LENGTH:
        raise RegistryNumberError("registry_number_length", "学籍号应为19位")
    body = number[1:]

    if kind == KIND_ID:
        try:
            id_number = validate_id_number(body)
        except IdNumberError as exc:
            raise RegistryNumberError.from_id_error(exc) from exc
        return RegistryNumber(
            raw=number,
            kind=kind,
            area_code=id_number[:6],
            birth_date=parse_birth_date(id_number[6:14]),
            sequence=id_number[14:17],
            id_number=id_number,
            check_digit=id_number[17],
        )

    if kind == KIND_GENERATED:
        if not _is_ascii_digits(body[:17]) or not (body[17] in _ASCII_DIGITS or body[17] == "X"):
            raise RegistryNumberError(
                "registry_number_format", "学籍号J后前17位应为数字，末位应为数字或X"
            )
        if body[17] != mod11_2_check_digit(body[:17]):
            raise RegistryNumberError("registry_number_checksum", "学籍号校验位错误")
        check_digit: str | None = body[17]
        sequence = body[14:17]
    else:  # KIND_TEMPORARY
        if not _is_ascii_digits(body):
            raise RegistryNumberError("registry_number_format", "学籍号L后应为18位数字")
        check_digit = None
        sequence = body[14:18]

    born = _parse_birth_date(body[6:14])
    _check_area_code(body[:6])
    return RegistryNumber(
        raw=number,
        kind=kind,
        area_code=body[:6],
        birth_date=born,
        sequence=sequence,
        id_number=None,
        check_digit=check_digit,
    )


def registry_number_from_id(id_number: str) -> str:
    """Return the ``G`` registry number of a valid resident ID number."""
    try:
        return KIND_ID + validate_id_number(id_number)
    except IdNumberError as exc:
        raise RegistryNumberError.from_id_error(exc) from exc


def make_generated_number(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a ``J`` number from the school's county code.

    The caller (the DB layer) allocates ``sequence`` per area code and birth
    date, choosing an odd sequence for boys and an even one for girls so the
    gender can be checked like an ID number's.  Running past 999 raises
    "registry_number_sequence_exhausted", which the caller must surface
    rather than wrap around into a duplicate.
    """
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError("sequence must be an int")
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if sequence > _MAX_GENERATED_SEQUENCE:
        raise RegistryNumberError(
            "registry_number_sequence_exhausted", "该地区该出生日期的学籍号顺序码已用完"
        )
    _check_area_code(area_code)
    born = _check_birth_date_argument(birth_date)
    first17 = f"{area_code}{_yyyymmdd(born)}{sequence:03d}"
    return KIND_GENERATED + first17 + mod11_2_check_digit(first17)


def make_temporary_number(area_code: str, birth_date: datetime.date, *, rng=None) -> str:
    """Build an ``L`` number with 4 random digits.

    ``rng`` is anything with ``randrange`` (e.g. ``random.Random(seed)`` for
    reproducible demo data); the default is the OS CSPRNG so the numbers are
    not guessable.  Collisions are possible (10,000 values per area and
    date): the DB layer must retry on a uniqueness conflict.
    """
    _check_area_code(area_code)
    born = _check_birth_date_argument(birth_date)
    if rng is None:
        rng = secrets.SystemRandom()
    suffix = rng.randrange(10**_TEMPORARY_RANDOM_DIGITS)
    return f"{KIND_TEMPORARY}{area_code}{_yyyymmdd(born)}{suffix:0{_TEMPORARY_RANDOM_DIGITS}d}"


def is_temporary(value: str) -> bool:
    """True only for a valid ``L`` number; never raises on bad input."""
    try:
        return parse_registry_number(value).kind == KIND_TEMPORARY
    except (RegistryNumberError, TypeError):
        return False


def birth_date_from_registry_number(value: str) -> datetime.date:
    """Return the birth date encoded in any kind of valid registry number."""
    return parse_registry_number(value).birth_date


def check_registry_number_consistency(
    value: str,
    *,
    birth_date: datetime.date,
    gender: str | None = None,
) -> RegistryNumber:
    """Check the number against the birth date and gender on the student file.

    Gender ("M"/"F") is only checked for ``G`` and ``J`` numbers; an ``L``
    number's digits are random and say nothing about gender.
    """
    parsed = parse_registry_number(value)
    if parsed.birth_date != _as_date(birth_date):
        raise RegistryNumberError(
            "registry_number_birth_date_mismatch", "出生日期与学籍号不一致"
        )
    if gender is not None:
        if gender not in (GENDER_MALE, GENDER_FEMALE):
            raise ValueError(f"gender must be 'M' or 'F', got {gender!r}")
        if parsed.gender is not None and parsed.gender != gender:
            raise RegistryNumberError("id_gender_mismatch", "性别与学籍号不一致")
    return parsed


def convert_temporary_to_id(temporary_number: str, id_number: str) -> str:
    """Return the ``G`` number replacing a temporary ``L`` number.

    The verified ID number must carry the same birth date as the temporary
    number, otherwise the two most likely belong to different people (or one
    of them was mistyped) and the conversion is refused.
    """
    temporary = parse_registry_number(temporary_number)
    if temporary.kind != KIND_TEMPORARY:
        raise RegistryNumberError("registry_number_not_temporary", "只有临时学籍号（L开头）可以转换")
    new_number = registry_number_from_id(id_number)
    if parse_birth_date(new_number[7:15]) != temporary.birth_date:
        raise RegistryNumberError(
            "registry_number_conversion_birth_date",
            "公民身份号码中的出生日期与临时学籍号不一致，不能转换",
        )
    return new_number
