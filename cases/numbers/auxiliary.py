"""Auxiliary-number formats (学籍辅号, 第十条). Pure functions; the ledger is in services.

General high school: 11 digits = entry year (2) + city code (2) + county code (1) + school
code (2) + student sequence (4). Compulsory education: a template set by the city or county.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

HIGH_SCHOOL_SEQUENCE_WIDTH = 4
# Used where neither the county nor its city has set a compulsory-education template: the
# high-school layout plus a stage digit, so numbers stay unique across stages of one school.
DEFAULT_COMPULSORY_TEMPLATE = "{year2}{city2}{county1}{school2}{stage1}{seq:4}"
STAGE_DIGIT = {"primary": "1", "junior": "2", "special": "9", "vocational": "3", "senior": "4"}

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\d+))?\}")
KNOWN_FIELDS = {"year4", "year2", "city2", "county6", "county1", "school_code", "school2", "stage1"}


@dataclass(frozen=True)
class NumberLayout:
    """A number split into the fixed prefix and a zero-padded sequence of ``width`` digits."""

    prefix: str
    width: int

    def render(self, sequence: int) -> str:
        if sequence >= 10**self.width:
            raise ValidationError("学籍辅号序号已用尽", code="auxiliary_number_exhausted")
        return f"{self.prefix}{sequence:0{self.width}d}"

    def render_range(self, first: int, count: int) -> list[str]:
        """The ``count`` numbers from sequence ``first`` on, as ``render`` writes each (the
        range checked once, at its end)."""
        if count:
            self.render(first + count - 1)
        text = f"{self.prefix}{{:0{self.width}d}}".format
        return [text(sequence) for sequence in range(first, first + count)]


def validate_template(pattern: str) -> None:
    """A template must end with one {seq:N} and use only known placeholders."""
    fields = _PLACEHOLDER.findall(pattern)
    names = [name for name, _ in fields]
    if not pattern.endswith("}") or not names or names[-1] != "seq" or names.count("seq") != 1:
        raise ValidationError("编码规则必须以唯一的 {seq:N} 结尾", code="auxiliary_template_seq")
    width = fields[-1][1]
    if not width or not 1 <= int(width) <= 8:
        raise ValidationError("序号位数 N 应为 1 到 8", code="auxiliary_template_seq")
    unknown = set(names[:-1]) - KNOWN_FIELDS
    if unknown:
        raise ValidationError(
            "编码规则含未知占位符:%(names)s", code="auxiliary_template_field", params={"names": ",".join(sorted(unknown))}
        )
    literal = _PLACEHOLDER.sub("", pattern)
    if not literal.isalnum() and literal:
        raise ValidationError("编码规则只能包含字母、数字和占位符", code="auxiliary_template_literal")


def _required_digits(value: str, length: int, what: str) -> str:
    if not value or len(value) != length or not value.isdigit():
        raise ValidationError(
            "%(what)s应为%(length)d位数字,当前为“%(value)s”",
            code="auxiliary_number_code_missing",
            params={"what": what, "length": length, "value": value or ""},
        )
    return value


def number_fields(*, entry_year: int, county_code: str, county_aux_code: str, school_code: str,
                  school_aux_code: str, stage: str) -> dict:
    return {
        "year4": f"{entry_year:04d}",
        "year2": f"{entry_year % 100:02d}",
        "city2": county_code[2:4],
        "county6": county_code,
        "county1": county_aux_code,
        "school_code": school_code,
        "school2": school_aux_code,
        "stage1": STAGE_DIGIT[stage],
    }


def high_school_layout(fields: dict) -> NumberLayout:
    """第十条: 入学年份码(2)+市码(2)+县码(1)+学校码(2)+学生码(4)."""
    prefix = (
        fields["year2"]
        + _required_digits(fields["city2"], 2, "市码")
        + _required_digits(fields["county1"], 1, "县码")
        + _required_digits(fields["school2"], 2, "学校码")
    )
    return NumberLayout(prefix=prefix, width=HIGH_SCHOOL_SEQUENCE_WIDTH)


def template_layout(pattern: str, fields: dict) -> NumberLayout:
    validate_template(pattern)
    names = {name for name, _ in _PLACEHOLDER.findall(pattern)}
    if "county1" in names:
        _required_digits(fields["county1"], 1, "县码")
    if "school2" in names:
        _required_digits(fields["school2"], 2, "学校码")
    head, width = pattern.rsplit("{seq:", 1)
    prefix = _PLACEHOLDER.sub(lambda m: fields[m.group(1)], head)
    return NumberLayout(prefix=prefix, width=int(width.rstrip("}")))
