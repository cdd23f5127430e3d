"""Legacy 16-digit local student numbers (Gansu rules, part 三).

Layout (16 digits)::

    省市位(2) 区县(2) 学校类别(1) 学校(3) 学生类别(1) 届别(2) 班(2) 学号(2) 校验位(1)

Old records still carry these numbers, so we must read them, explain them to
staff and, occasionally, generate them.  The rules say "教委定义省市位和校验位":
the education authority owns the check-digit algorithm, so it is pluggable
(callable or dotted path, default from the ``XUEJI_LEGACY_CHECK_DIGIT``
setting) instead of being hard-coded here.

This module is pure Python: it touches Django only to read a setting and to
import a dotted path, and works with unconfigured settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional, Protocol, Union, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from stdnum import luhn as _stdnum_luhn
from stdnum.iso7064 import mod_11_10 as _stdnum_mod_11_10

__all__ = [
    "LEGACY_LENGTH",
    "SCHOOL_CATEGORIES",
    "STUDENT_CATEGORIES",
    "ALLOWED_STUDENT_CATEGORIES",
    "SETTING_NAME",
    "DEFAULT_CHECK_DIGIT",
    "CheckDigitAlgorithm",
    "LegacyNumberError",
    "LegacyNumber",
    "iso7064_mod11_10",
    "mod10_luhn",
    "no_check",
    "get_check_digit_algorithm",
    "parse_legacy_number",
    "build_legacy_number",
]

LEGACY_LENGTH = 16
SETTING_NAME = "XUEJI_LEGACY_CHECK_DIGIT"

#: 学校类别 (digit 5).  8 and 9 are unassigned.
SCHOOL_CATEGORIES: dict[str, str] = {
    "0": "小学",
    "1": "初中",
    "2": "小学、初中并存学校（九年一贯制）",
    "3": "小学、初中、高中并存学校",
    "4": "完中",
    "5": "普高",
    "6": "职高",
    "7": "职普高并存学校",
}

#: 学生类别 (digit 9).  4-9 are unassigned.
STUDENT_CATEGORIES: dict[str, str] = {
    "0": "小学生",
    "1": "初中生",
    "2": "普高学生",
    "3": "职高学生",
}

#: Which student categories a school category can enrol; a number outside
#: this table is internally contradictory (e.g. a 职高 student in a 小学).
ALLOWED_STUDENT_CATEGORIES: dict[str, frozenset[str]] = {
    "0": frozenset("0"),  # 小学: 小学生
    "1": frozenset("1"),  # 初中: 初中生
    "2": frozenset("01"),  # 九年一贯制: 小学生、初中生
    "3": frozenset("012"),  # 小学+初中+高中: 小学生、初中生、普高学生
    "4": frozenset("12"),  # 完中 (初中+高中): 初中生、普高学生
    "5": frozenset("2"),  # 普高: 普高学生
    "6": frozenset("3"),  # 职高: 职高学生
    "7": frozenset("23"),  # 职普高并存: 普高学生、职高学生
}

# (field, 中文标签, slice) for each part, in order: the layout in one place.
_PARTS: tuple[tuple[str, str, slice], ...] = (
    ("province_city", "省市位", slice(0, 2)),
    ("county", "区县", slice(2, 4)),
    ("school_category", "学校类别", slice(4, 5)),
    ("school", "学校", slice(5, 8)),
    ("student_category", "学生类别", slice(8, 9)),
    ("graduation_year", "届别", slice(9, 11)),
    ("class_number", "班", slice(11, 13)),
    ("student_number", "学号", slice(13, 15)),
    ("check_digit", "校验位", slice(15, 16)),
)

# If 20yy lies further than this in the future, the number is from the 1900s.
_CENTURY_WINDOW_YEARS = 10


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class LegacyNumberError(ValueError):
    """Invalid legacy number; ``code`` is stable for programs, ``message`` is
    the Chinese text shown to staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"LegacyNumberError({self.code!r}, {self.message!r})"


# --------------------------------------------------------------------------
# Check-digit algorithms
# --------------------------------------------------------------------------


@runtime_checkable
class CheckDigitAlgorithm(Protocol):
    """Takes the first 15 digits and returns the expected 16th character, or
    ``None`` meaning "this algorithm does not verify check digits"."""

    def __call__(self, body: str) -> Optional[str]: ...


def iso7064_mod11_10(body: str) -> str:
    """ISO 7064 MOD 11,10 (hybrid).  Default because it always yields a single
    decimal digit (MOD 11,2 can yield 'X', which a digits-only number can't
    hold)."""
    return _stdnum_mod_11_10.calc_check_digit(body)


def mod10_luhn(body: str) -> str:
    """Luhn mod 10, for authorities that chose it."""
    return _stdnum_luhn.calc_check_digit(body)


def no_check(body: str) -> None:
    """Accept any check digit: for sources whose algorithm is unknown.
    Returning ``None`` tells the parser the digit was not verified."""
    return None


DEFAULT_CHECK_DIGIT: CheckDigitAlgorithm = iso7064_mod11_10

CheckDigitSpec = Union[str, Callable[[str], Optional[str]], None]


def _configured_spec() -> CheckDigitSpec:
    """The ``XUEJI_LEGACY_CHECK_DIGIT`` setting, or None when Django settings
    are not configured (scripts, pure unit tests)."""
    if not settings.configured:
        return None
    return getattr(settings, SETTING_NAME, None)


def get_check_digit_algorithm(spec: CheckDigitSpec = None) -> CheckDigitAlgorithm:
    """Resolve ``spec`` to a callable.

    ``spec`` may be a callable, a dotted import path, or ``None`` (use the
    ``XUEJI_LEGACY_CHECK_DIGIT`` setting if configured, else the default).
    Bad dotted paths raise ``ImportError``: that is a configuration bug, not a
    bad student number.
    """
    if spec is None:
        spec = _configured_spec()
        if spec is None:
            return DEFAULT_CHECK_DIGIT
    if isinstance(spec, str):
        spec = import_string(spec)
    if not callable(spec):
        raise TypeError(f"check digit algorithm must be callable, got {spec!r}")
    return spec


def _expected_check_digit(algorithm: CheckDigitAlgorithm, body: str) -> Optional[str]:
    """Run ``algorithm`` and make sure a plug-in returned something usable,
    so a broken plug-in fails loudly instead of rejecting every number."""
    result = algorithm(body)
    if result is None:
        return None
    if not (isinstance(result, str) and len(result) == 1 and _is_ascii_digits(result)):
        raise ValueError(
            f"check digit algorithm {algorithm!r} returned {result!r}; "
            "expected a single digit or None"
        )
    return result


# --------------------------------------------------------------------------
# Parsed value
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LegacyNumber:
    """A validated legacy number split into its nine parts."""

    raw: str
    province_city: str
    county: str
    school_category: str
    school_category_name: str
    school: str
    student_category: str
    student_category_name: str
    graduation_year: int
    class_number: str
    student_number: str
    check_digit: str
    #: False when parsed with an algorithm that does not verify (``no_check``).
    check_digit_verified: bool = True

    def explain(self) -> list[tuple[str, str, str]]:
        """(中文标签, 原始值, 含义) for each of the nine parts, in order, so
        staff can see how an old number was put together."""
        check_meaning = "校验位，已校验通过" if self.check_digit_verified else "校验位，未校验"
        return [
            ("省市位", self.province_city, "省市代码（由教委定义）"),
            ("区县", self.county, "区县代码"),
            ("学校类别", self.school_category, self.school_category_name),
            ("学校", self.school, "学校代码后三位"),
            ("学生类别", self.student_category, self.student_category_name),
            (
                "届别",
                self.raw[9:11],
                f"{self.graduation_year}届（预计{self.graduation_year}年毕业）",
            ),
            ("班", self.class_number, f"{int(self.class_number)}班"),
            ("学号", self.student_number, f"班内学号{int(self.student_number)}号"),
            ("校验位", self.check_digit, check_meaning),
        ]


# --------------------------------------------------------------------------
# Shared validation
# --------------------------------------------------------------------------


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts full-width "１" and other Unicode digits.
    return value.isascii() and value.isdigit()


def _validate_body(body: str) -> None:
    """Semantic checks on the first 15 digits shared by parse and build."""
    school_category = body[4]
    student_category = body[8]
    if school_category not in SCHOOL_CATEGORIES:
        raise LegacyNumberError(
            "legacy_school_category",
            f"学校类别“{school_category}”无效，应为0-7",
        )
    if student_category not in STUDENT_CATEGORIES:
        raise LegacyNumberError(
            "legacy_student_category",
            f"学生类别“{student_category}”无效，应为0-3",
        )
    if student_category not in ALLOWED_STUDENT_CATEGORIES[school_category]:
        raise LegacyNumberError(
            "legacy_category_mismatch",
            f"学生类别“{STUDENT_CATEGORIES[student_category]}”与学校类别"
            f"“{SCHOOL_CATEGORIES[school_category]}”不符",
        )
    if body[11:13] == "00":
        raise LegacyNumberError("legacy_class", "班号不能为00")
    if body[13:15] == "00":
        raise LegacyNumberError("legacy_student", "学号不能为00")


def _graduation_year(yy: str, today: Optional[date]) -> int:
    """20yy, unless that is more than 10 years ahead of ``today``: nobody is
    due to graduate that far out, so it must be 19yy."""
    today = today or date.today()
    year = 2000 + int(yy)
    if year > today.year + _CENTURY_WINDOW_YEARS:
        year -= 100
    return year


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def parse_legacy_number(
    raw: str,
    *,
    check_digit: CheckDigitSpec = None,
    today: Optional[date] = None,
) -> LegacyNumber:
    """Validate and split a legacy number.

    Leading/trailing whitespace is ignored.  Raises ``LegacyNumberError``
    (codes: legacy_length, legacy_not_digits, legacy_school_category,
    legacy_student_category, legacy_category_mismatch, legacy_class,
    legacy_student, legacy_check_digit).  Structural checks run before the
    check digit so staff get the most specific message.
    """
    if not isinstance(raw, str):
        # An int would already have lost leading zeros.
        raise TypeError(f"legacy number must be a str, got {type(raw).__name__}")
    value = raw.strip()
    if len(value) != LEGACY_LENGTH:
        raise LegacyNumberError(
            "legacy_length",
            f"学籍号应为{LEGACY_LENGTH}位，实际为{len(value)}位",
        )
    if not _is_ascii_digits(value):
        raise LegacyNumberError("legacy_not_digits", "学籍号只能包含数字0-9")

    body, given = value[:15], value[15]
    _validate_body(body)

    algorithm = get_check_digit_algorithm(check_digit)
    expected = _expected_check_digit(algorithm, body)
    if expected is not None and expected != given:
        raise LegacyNumberError(
            "legacy_check_digit",
            f"校验位错误：应为{expected}，实际为{given}",
        )

    parts = {name: value[sl] for name, _label, sl in _PARTS}
    return LegacyNumber(
        raw=value,
        province_city=parts["province_city"],
        county=parts["county"],
        school_category=parts["school_category"],
        school_category_name=SCHOOL_CATEGORIES[parts["school_category"]],
        school=parts["school"],
        student_category=parts["student_category"],
        student_category_name=STUDENT_CATEGORIES[parts["student_category"]],
        graduation_year=_graduation_year(parts["graduation_year"], today),
        class_number=parts["class_number"],
        student_number=parts["student_number"],
        check_digit=given,
        check_digit_verified=expected is not None,
    )


def _part(value: Union[int, str], width: int, label: str) -> str:
    """Normalise one input part: ints are zero-padded, strings must already
    have the exact width (padding a string could hide a truncated code)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{label} must be int or str, got {type(value).__name__}")
    if isinstance(value, int):
        if value < 0:
            raise LegacyNumberError("legacy_not_digits", f"{label}不能为负数")
        text = str(value).zfill(width)
    else:
        text = value.strip()
        if not _is_ascii_digits(text):
            raise LegacyNumberError("legacy_not_digits", f"{label}只能包含数字0-9")
    if len(text) != width:
        raise LegacyNumberError("legacy_length", f"{label}应为{width}位数字")
    return text


def _graduation_yy(value: Union[int, str]) -> str:
    """Accept a 4-digit year (2027) or its 2-digit form (27 / "27")."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return f"{value % 100:02d}"
    if isinstance(value, str) and len(value.strip()) == 4:
        return _part(value, 4, "届别")[2:]
    return _part(value, 2, "届别")


def build_legacy_number(
    *,
    province_city: Union[int, str],
    county: Union[int, str],
    school_category: Union[int, str],
    school: Union[int, str],
    student_category: Union[int, str],
    graduation_year: Union[int, str],
    class_number: Union[int, str],
    student_number: Union[int, str],
    check_digit: CheckDigitSpec = None,
) -> str:
    """Compose a legacy number and append its check digit.

    ``school`` is the last three digits of the school's own code;
    ``graduation_year`` is entry year + programme length (4 or 2 digits).
    Inputs are validated like ``parse_legacy_number``.  An algorithm that
    does not compute digits (``no_check``) cannot build: raises
    ``LegacyNumberError`` with code ``legacy_check_digit_unavailable``.
    """
    body = "".join(
        (
            _part(province_city, 2, "省市位"),
            _part(county, 2, "区县"),
            _part(school_category, 1, "学校类别"),
            _part(school, 3, "学校"),
            _part(student_category, 1, "学生类别"),
            _graduation_yy(graduation_year),
            _part(class_number, 2, "班"),
            _part(student_number, 2, "学号"),
        )
    )
    _validate_body(body)
    algorithm = get_check_digit_algorithm(check_digit)
    digit = _expected_check_digit(algorithm, body)
    if digit is None:
        raise LegacyNumberError(
            "legacy_check_digit_unavailable",
            "所选校验算法不计算校验位，无法生成学籍号",
        )
    return body + digit
