"""What every case type declares. One subclass per module in this package, each citing its
articles; ``CASE_TYPES`` maps codes to instances."""

import datetime
from dataclasses import dataclass

from cases.errors import RuleError

from . import fields as f
from .fields import Field, chinese_date, clean_values, missing


@dataclass(frozen=True)
class Step:
    """An approval step: ``level`` school / authority / exam, on the origin or destination side."""

    level: str
    side: str = "origin"
    label: str = ""
    working_days: int = 10


SCHOOL_REVIEW = Step("school", label="学校审核")
AUTHORITY_APPROVAL = Step("authority", label="学籍主管部门审批")


@dataclass(frozen=True)
class EvidenceKind:
    code: str
    label: str


def detail_date(case, key):
    """``case.details[key]`` as a date, or None when missing or not YYYY-MM-DD (details is JSON)."""
    value = (case.details or {}).get(key)
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def rule(code, message, article, *, generally=False, field=None):
    """A failed eligibility rule. ``generally`` marks 一般不予 rules the approving authority
    may override with a recorded reason."""
    error = RuleError(code, message, article=article, field=field)
    error.generally = generally
    return error


# Declarations shared by many types: the columns of Case every type uses (see fields.py).
STUDENT = Field("student", f.STUDENT, "学生", "在本校注册的学生,可按姓名、学籍号或身份证号查找", column=True,
                required=True)
REASON_TEXT = Field("reason_text", f.LONGTEXT, "事由说明", "简要说明情况", column=True, max_length=2000)
STAGES = (("primary", "小学"), ("junior", "初中"), ("senior", "普通高中"), ("vocational", "中职"),
          ("special", "特殊教育"))
STAGE = Field("stage", f.CHOICE, "学段", choices=STAGES, column=True, required=True)
GENDERS = (("M", "男"), ("F", "女"))


def reason_field(reasons, article="", label="事由类别", help=""):
    return Field("reason", f.CHOICE, label, help, article, required=True, choices=tuple(reasons.items()),
                 column=True)


def effective_on(label="生效日期", help="", article=""):
    return Field("effective_on", f.DATE, label, help, article, required=True, column=True)


def school_class(label="编入班级", help="", article="", within="", required=False, name="school_class"):
    return Field(name, f.SCHOOL_CLASS, label, help, article, required=required, within=within)


def without_class(case):
    """The student's open registration has no class: a case bringing the student back must
    choose one (nobody leaves an approved case without class and grade)."""
    from cases.models import OPEN_STATUSES

    registration = case.registration if case.registration_id else None
    return registration is not None and registration.status in OPEN_STATUSES and registration.school_class_id is None


class CaseType:
    """Declared per type as class attributes; ``@register`` keeps one instance per type."""

    code = ""
    name = ""
    articles = ()
    # Steps of the full chain, in order; ``approval_chain`` may leave some out for a case.
    steps = ()
    reasons = {}  # reason code → label
    # reason code (or "*" for any) → evidence kinds required
    evidence = {}
    # The case's subject (None for a school's batch) and its other fields, in form order.
    subject = STUDENT
    fields = ()

    # A status-changing type changes the student's registration when approved. At most one
    # such case per student is open (in review or returned) at a time, decided at submission,
    # unless each type names the other here: two changes that cannot both apply never race.
    changes_status = True
    compatible_with = frozenset()

    def compatible(self, other):
        return (not self.changes_status or not other.changes_status
                or (other.code in self.compatible_with and self.code in other.compatible_with))

    def student_required(self, case):
        """Most cases concern one registered student; batches and transfers in do not."""
        return True

    # --- declared per type ----------------------------------------------------------------
    def required_evidence(self, case):
        kinds = list(self.evidence.get("*", ()))
        kinds += [k for k in self.evidence.get(case.reason, ()) if k not in kinds]
        return kinds

    def approval_chain(self, case):
        """The steps that apply to this case (default: all)."""
        return list(self.steps)

    def check_eligibility(self, case):
        """Every failed rule, as a list of RuleError (empty when eligible)."""
        return []

    def validate(self, case):
        """Required fields of the case document itself, as RuleErrors."""
        errors = []
        if self.reasons and case.reason not in self.reasons:
            errors.append(rule("case_reason", "请选择事由类别", "", field="reason"))
        if case.effective_on is None:
            errors.append(rule("case_effective_on", "请填写生效日期", "", field="effective_on"))
        return errors

    def registration_status(self, case):
        return case.registration.status if case.registration_id else None

    def apply(self, case, *, acting_user):
        """Change the registry: the only code that does so for this case type."""
        raise NotImplementedError

    # --- helpers --------------------------------------------------------------------------
    def evidence_labels(self, case):
        return [kind.label for kind in self.required_evidence(case)]

    # --- the declared fields (fields.py) ---------------------------------------------------
    def all_fields(self):
        return ((self.subject,) if self.subject else ()) + tuple(self.fields)

    def field(self, key):
        return next((item for item in self.all_fields() if item.key == key), None)

    def detail_fields(self):
        return [item for item in self.all_fields() if not item.column]

    def column_fields(self):
        return [item for item in self.all_fields() if item.column]

    def clean_details(self, details):
        """``details`` as sent (groups nested, Python or JSON values) → the stored JSON form;
        a ValidationError listing every bad or undeclared value."""
        if details is None:
            return {}
        if not isinstance(details, dict):
            raise RuleError("details_not_object", "其他信息格式不正确", field="details")
        declared = self.detail_fields()
        groups = {item.group for item in declared if item.group}
        flat = {}
        for key, value in details.items():
            if key in groups and isinstance(value, dict):
                flat.update({f"{key}_{name}": inner for name, inner in value.items()})
            else:
                flat[key] = value
        return self.nest(clean_values(declared, flat))

    def nest(self, flat):
        """Flat {key: stored value} of detail fields → the stored ``details`` (groups nested)."""
        details = {}
        for item in self.detail_fields():
            if item.key in flat:
                target = details.setdefault(item.group, {}) if item.group else details
                target[item.name] = flat[item.key]
        return details

    def stored(self, case, item):
        """The stored value of a field: the column's value, or the JSON of ``details``."""
        if item.column:
            value = getattr(case, f"{item.name}_id" if item.kind in f.OBJECT_KINDS else item.name, None)
            return value.isoformat() if isinstance(value, datetime.date) else value
        details = case.details or {}
        if item.group:
            details = details.get(item.group) or {}
        return details.get(item.name) if isinstance(details, dict) else None

    def value(self, case, key):
        """A field's Python value (dates as dates, objects as primary keys)."""
        item = self.field(key)
        return item.load(self.stored(case, item))

    def stored_values(self, case):
        return {item.key: self.stored(case, item) for item in self.all_fields()}

    def check_fields(self, case):
        """Every problem with what was entered: the type's own ``validate`` plus the declared
        requirements (a field already reported is not reported twice)."""
        errors = self.validate(case)
        reported = {error.field for error in errors}
        values = self.stored_values(case)
        errors += [error for error in missing(self.all_fields(), values, case)
                   if error.field not in reported and not (error.field == "student" and case.student_id)]
        errors += self._unknown_objects(values)
        return errors

    def _unknown_objects(self, values):
        """Objects named in ``details`` that do not exist (one query per object field)."""
        from django.apps import apps

        errors = []
        for item in self.detail_fields():
            pks = values.get(item.key)
            if item.kind not in f.OBJECT_KINDS or not pks:
                continue
            pks = set(pks) if isinstance(pks, list) else {pks}
            model = apps.get_model("cases", f.OBJECT_KINDS[item.kind])
            if model.objects.filter(pk__in=pks).count() != len(pks):
                errors.append(rule("field_object_missing", f"{item.label}:所选对象不存在", item.article, field=item.key))
        return errors

    @property
    def template_name(self):
        """The type's own template of the case document (the case page and the case PDF):
        ``templates/cases/case_types/<code>.html``, extending ``_document.html`` which renders
        the declared fields."""
        return f"cases/case_types/{self.code}.html"

    def display(self, case, labels=None, user=None):
        """[{key, label, text}] of the filled fields, for the case page and the PDF: Chinese
        labels, names of objects, dates as 2026年12月1日; rows as {columns, rows}. ``labels``: the
        objects' names loaded beforehand for many cases (display.labels_for); ``user``: who reads
        (a student's G registry number is whole only for the holder)."""
        from .display import display_fields

        return display_fields(self, case, labels, user)
