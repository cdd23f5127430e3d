"""The fields of a case document, declared once per case type (``CaseType.fields``).

From one declaration come the admin form (cases/admin/case_fields.py), the typed GraphQL
input (graphql_api/cases/inputs.py), the checks of what was entered (``clean`` and
``missing``), the case page and the PDF context (``display``).

Storage: a field is either a column of ``Case`` (``column=True``: reason, effective_on,
destination_school…) or a key of ``Case.details`` (JSON), optionally inside a group
(``group="changes"`` → ``details["changes"][name]``). ``clean`` turns what a form or the API
sends (Python values or their JSON forms) into the stored JSON form, so dates are ISO strings
and objects are primary keys in the JSON, never typed by a person.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from cases.edge import EARLIEST, LATEST, MAX_INT
from cases.errors import RuleError
from cases.numbers.id_number import IdNumberError, validate_id_number

TEXT, LONGTEXT, CHOICE, MULTICHOICE, DATE, BOOL, INT = "text", "longtext", "choice", "multichoice", "date", "bool", "int"
ID_NUMBER = "id_number"
STUDENT, SCHOOL, SCHOOL_CLASS, JURISDICTION, REGISTRATIONS = (
    "student", "school", "school_class", "jurisdiction", "registrations")
ROWS = "rows"
# Kinds that name registry objects: stored as primary keys, entered through pickers.
OBJECT_KINDS = {STUDENT: "Student", SCHOOL: "School", SCHOOL_CLASS: "SchoolClass", JURISDICTION: "Jurisdiction",
                REGISTRATIONS: "Registration"}
CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")
TRUE_WORDS, FALSE_WORDS = {"true", "1", "是", "yes", "on"}, {"false", "0", "否", "no", "off", ""}


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def parse_date(value):
    """A date from a date, ``YYYY-MM-DD`` or ``2026年12月1日``; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        match = CHINESE_DATE.match(value)
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
        return datetime.date.fromisoformat(value.strip())
    raise ValueError(value)


@dataclass(frozen=True)
class Field:
    """One input of a case type.

    ``required``: True, False, a tuple of reason codes (required for those reasons only) or a
    callable ``(case) -> bool`` (e.g. only for transfers within the province). ``choices``:
    ((code, Chinese label), …). ``rows``: the sub-fields of a repeating ``ROWS`` field (a
    registration batch's pupils), at most ``max_rows`` rows (0: unbounded). ``within``: for a
    class, the name of the school field it belongs to (else the case's school)."""

    name: str
    kind: str
    label: str
    help: str = ""
    article: str = ""
    required: object = False
    choices: tuple = ()
    column: bool = False
    group: str = ""
    rows: tuple = field(default=())
    max_rows: int = 0
    max_length: int = 200
    within: str = ""

    @property
    def key(self):
        """The name of the field in forms, the API and error paths (unique within a type)."""
        return f"{self.group}_{self.name}" if self.group else self.name

    # --- requirements ------------------------------------------------------------------
    def is_required(self, case=None):
        if callable(self.required):
            return case is not None and bool(self.required(case))
        if isinstance(self.required, tuple):
            return case is not None and case.reason in self.required
        return bool(self.required)

    @property
    def required_note(self):
        """How the requirement reads on the form (for reasons: which ones)."""
        if isinstance(self.required, tuple) and self.required:
            return "required_for_reasons"
        return ""

    @property
    def choice_labels(self):
        return dict(self.choices)

    # --- values --------------------------------------------------------------------------
    def clean(self, value, prefix=""):
        """The stored (JSON) form of ``value``, or a RuleError naming the field. Empty → None."""
        path = f"{prefix}{self.key}"
        if value is None or value == "" or value == [] or (self.kind == ROWS and value == ()):
            return [] if self.kind in (MULTICHOICE, REGISTRATIONS, ROWS) else None
        try:
            return self._clean(value, path)
        except (TypeError, ValueError):
            raise RuleError("field_invalid", f"{self.label}:{self._hint()}", field=path, article=self.article) from None

    def _clean(self, value, path):
        kind = self.kind
        if kind in (TEXT, LONGTEXT):
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise TypeError
            text = str(value).strip()
            if len(text) > self.max_length and kind == TEXT:
                raise RuleError("field_too_long", f"{self.label}不能超过{self.max_length}个字", field=path)
            return text or None
        if kind == CHOICE:
            return self._choice(value)
        if kind == MULTICHOICE:
            if isinstance(value, str):
                value = [value]
            return list(dict.fromkeys(self._choice(item) for item in value))
        if kind == DATE:
            day = parse_date(value)
            if not EARLIEST <= day <= LATEST:
                raise RuleError("date_out_of_range", f"{self.label}超出允许范围(1900年1月1日至2100年12月31日)",
                                field=path, article=self.article)
            return day.isoformat()
        if kind == BOOL:
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in TRUE_WORDS or word in FALSE_WORDS:
                return word in TRUE_WORDS
            raise ValueError(value)
        if kind == INT:
            if isinstance(value, bool):
                raise TypeError
            number = int(str(value).strip()) if isinstance(value, str) else value
            if isinstance(number, float) and number.is_integer():
                number = int(number)
            if not isinstance(number, int) or not 0 <= number <= MAX_INT:
                raise ValueError(value)
            return number
        if kind == ID_NUMBER:
            try:
                return validate_id_number(str(value))
            except IdNumberError as error:
                raise RuleError(error.code, f"{self.label}:{error.message}", field=path,
                                article=self.article or "第十五条") from None
        if kind in OBJECT_KINDS:
            if kind == REGISTRATIONS:
                return list(dict.fromkeys(_pk(item) for item in value))
            return _pk(value)
        if kind == ROWS:
            if not isinstance(value, (list, tuple)) or not all(isinstance(row, dict) for row in value):
                raise TypeError
            if self.max_rows and len(value) > self.max_rows:
                raise RuleError("field_too_many_rows", f"{self.label}最多{self.max_rows}行", field=path)
            return self._clean_rows(value, path)
        raise ValueError(kind)

    def _clean_rows(self, rows, path):
        """Every row checked; each problem reported with its row number (第2行:…)."""
        cleaned, errors = [], []
        for index, row in enumerate(rows):
            try:
                cleaned.append(clean_values(self.rows, row, prefix=f"{path}[{index}]."))
            except ValidationError as error:
                for item in error.error_list:
                    item.message = f"{row_label(self, index, path)}{item.message}"
                    errors.append(item)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _choice(self, value):
        value = str(value).strip()
        labels = self.choice_labels
        if value in labels:
            return value
        by_label = {str(label): code for code, label in self.choices}
        if value in by_label:  # 男 as well as M
            return by_label[value]
        raise ValueError(value)

    def _hint(self):
        return {
            DATE: "请填写有效日期,如 2026年3月2日",
            CHOICE: "请从列表中选择:" + "、".join(str(label) for _, label in self.choices),
            MULTICHOICE: "请从列表中选择",
            INT: "请填写非负整数",
            BOOL: "请选择是或否",
            ROWS: "请逐行填写",
        }.get(self.kind, "请选择" if self.kind in OBJECT_KINDS else "格式不正确")

    def load(self, stored):
        """The Python value of a stored (JSON) value: a date for dates, lists for lists; an
        unreadable stored date is None (left from before the declaration)."""
        if self.kind == DATE:
            try:
                return parse_date(stored) if stored else None
            except (TypeError, ValueError):
                return None
        if self.kind == ROWS:
            return [{sub.key: sub.load(row.get(sub.key)) for sub in self.rows} for row in stored or []
                    if isinstance(row, dict)]
        if self.kind in (MULTICHOICE, REGISTRATIONS):
            return list(stored or [])
        return stored


def row_label(item, index, path):
    """第2行: for a top-level list; 监护人1: for a list inside a row."""
    return f"{item.label}{index + 1}:" if "[" in path else f"第{index + 1}行:"


KEY = re.compile(r"[0-9]{1,10}")


def parse_key(value):
    """A primary key from what a form or the API sent (ASCII digits within 32 bits), or None:
    "²" is a digit to ``str.isdigit`` but no number, and 30 nines overflow the database."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and KEY.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_INT else None


def _pk(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        raise TypeError
    key = parse_key(value)
    if key is None:
        raise ValueError(value)
    return key


def clean_values(fields, values, prefix=""):
    """``values`` (key → value) cleaned by ``fields``; every bad value reported at once; an
    undeclared key is refused (nothing a caller sends is stored unseen). Empty values are left
    out: a missing key is an empty field."""
    by_name = {f.key: f for f in fields}
    errors, cleaned = [], {}
    for name in values:
        if name not in by_name:
            errors.append(RuleError("case_field_unknown", f"未知字段:{prefix}{name}", field=f"{prefix}{name}"))
    for name, value in values.items():
        if name in by_name:
            try:
                value = by_name[name].clean(value, prefix)
            except ValidationError as error:
                errors.extend(error.error_list)
                continue
            if value not in (None, [], {}):
                cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def missing(fields, values, case=None, prefix=""):
    """RuleErrors for required fields left empty (in rows, row by row)."""
    errors = []
    for f in fields:
        value = values.get(f.key)
        if f.is_required(case) and value in (None, "", [], {}):
            errors.append(RuleError("field_required", f"请填写{f.label}" if f.kind not in OBJECT_KINDS and
                                    f.kind not in (CHOICE, MULTICHOICE, BOOL) else f"请选择{f.label}",
                                    field=f"{prefix}{f.key}", article=f.article))
        if f.kind == ROWS and isinstance(value, list):
            for index, row in enumerate(value):
                for error in missing(f.rows, row, None, prefix=f"{prefix}{f.key}[{index}]."):
                    error.message = f"{row_label(f, index, prefix)}{error.message}"
                    errors.append(error)
    return errors


def normalise_stored(case_type, details):
    """Stored ``details`` from before the declaration, in the declared form where a value can
    be read (``"M"``/``"男"`` → ``"M"``, ``"2026/3/2"`` → ISO, ``"12"`` → 12); anything that cannot
    be read, and keys written by ``apply`` (an extract, a late-report flag), stay as they were:
    history is not rewritten, only typed."""
    if not isinstance(details, dict):
        return details
    result = dict(details)
    for item in case_type.detail_fields():
        holder = result.get(item.group) if item.group else result
        if not isinstance(holder, dict) or item.name not in holder:
            continue
        try:
            value = item.clean(holder[item.name])
        except ValidationError:
            continue
        if item.group:
            holder = result[item.group] = dict(holder)
        if value is None:
            holder.pop(item.name)
        else:
            holder[item.name] = value
    return result
