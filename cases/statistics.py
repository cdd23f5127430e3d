"""Statistics for each authority and school (counts of the registry), set-based.

Every figure is a GROUP BY over the user's scope, so a page costs the same few queries whatever
the number of students, and a county sees only its own. Units drill down by supervision, the
same prefix rule as access (cases/access.py): the province's rows are its cities (and the
schools it supervises directly), a city's rows its counties (and its own schools), a county's
rows its schools.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from cases import access
from cases import models as m
from cases.case_types import CASE_TYPES

STAGES = list(m.Stage.choices)
STATUS_LABELS = dict(m.RegistrationStatus.choices)
FLAG_COLUMNS = [("male", "男"), ("female", "女"), ("migrant", "随迁子女"), ("left_behind", "留守儿童"),
                ("disabled", "残疾学生"), ("suspended", "休学"), ("dropped_out", "辍学")]


@dataclass
class Unit:
    code: str  # a jurisdiction code, or "" for one school
    school: object = None

    @property
    def is_school(self):
        return self.school is not None


def unit_for(user, code=None, school_id=None):
    """The unit a user looks at: their own, or one below it (out of scope: None, i.e. 404)."""
    scope = access.scope_of(user)
    if school_id:
        school = access.in_scope(user, m.School).filter(pk=school_id).first()
        return Unit("", school) if school else None
    if scope.school_id and not code:
        return Unit("", m.School.objects.get(pk=scope.school_id))
    from django.conf import settings

    code = code or scope.code or (settings.XUEJI_PROVINCE_CODE if scope.everything else None)
    if not code or not (scope.everything or (scope.code and code.startswith(scope.code))):
        return None
    if not m.Jurisdiction.objects.filter(code=code).exists():
        return None
    return Unit(code)


def _registrations(user, unit):
    registrations = access.in_scope(user, m.Registration, m.Registration.objects.open())
    if unit.is_school:
        return registrations.filter(school=unit.school)
    return registrations.filter(school__scope_code__startswith=unit.code)


def _child_expression(unit):
    """The column naming each row's child unit: a longer scope-code prefix, or the school."""
    if unit.is_school:
        return None
    if len(unit.code) >= 6:
        return F("school_id")
    return Substr("school__scope_code", 1, len(unit.code) + 2)


def _flags():
    return {
        "total": Count("pk"),
        **{stage: Count("pk", filter=Q(stage=stage)) for stage, _ in STAGES},
        "male": Count("pk", filter=Q(student__gender=m.Gender.MALE)),
        "female": Count("pk", filter=Q(student__gender=m.Gender.FEMALE)),
        "migrant": Count("pk", filter=Q(student__is_migrant=True)),
        "left_behind": Count("pk", filter=Q(student__is_left_behind=True)),
        "disabled": Count("pk", filter=~Q(student__disability="")),
        "suspended": Count("pk", filter=Q(status=m.RegistrationStatus.SUSPENDED)),
        "dropped_out": Count("pk", filter=Q(status=m.RegistrationStatus.DROPPED_OUT)),
    }


def by_unit(user, unit):
    """[{key, label, drill, total, <stage>…, male…}] one row per child unit, and the total row."""
    registrations = _registrations(user, unit)
    expression = _child_expression(unit)
    if expression is None:
        rows = [{"key": unit.school.pk, **registrations.aggregate(**_flags())}]
    else:
        rows = list(registrations.annotate(child=expression).values("child").annotate(**_flags()).order_by("child"))
        for row in rows:
            row["key"] = row.pop("child")
    _label(rows, unit)
    total = {"label": "合计", "drill": None, **{k: sum(r[k] for r in rows) for k in _flags()}}
    return rows, total


def columns():
    """[(key, label)] of the by-unit table: the total, each stage, each flag."""
    return [("total", "在籍总数"), *STAGES, *FLAG_COLUMNS]


def unit_table(user, unit):
    """(headers, rows) of the by-unit table as it is exported: one row per child unit, then 合计."""
    rows, total = by_unit(user, unit)
    keys = columns()
    return ["单位", *[label for _, label in keys]], [[r["label"], *[r[k] for k, _ in keys]] for r in [*rows, total]]


def _label(rows, unit):
    if unit.is_school:
        rows[0].update(label=unit.school.name, drill=None)
        return
    if len(unit.code) >= 6:
        schools = m.School.objects.in_bulk([r["key"] for r in rows])
        for row in rows:
            row.update(label=schools[row["key"]].name, drill=("school", row["key"]))
        return
    names = dict(m.Jurisdiction.objects.filter(code__in=[r["key"] for r in rows]).values_list("code", "name"))
    for row in rows:
        own = row["key"] == unit.code
        row.update(label=(names.get(row["key"], row["key"]) + ("直属学校" if own else "")),
                   drill=None if own else ("code", row["key"]))


def by_grade(user, unit):
    """{(stage label, grade label): count} of the open registrations with a class."""
    today = timezone.localdate()
    year = m.school_year_of(today)
    rows = (_registrations(user, unit).filter(school_class__isnull=False)
            .values("stage", "school_class__cohort").annotate(n=Count("pk")).order_by("stage", "-school_class__cohort"))
    found = []
    for row in rows:
        klass = m.SchoolClass(stage=row["stage"], cohort=row["school_class__cohort"])
        found.append((dict(STAGES)[row["stage"]], klass.grade_label(datetime.date(year, 9, 1)), row["n"]))
    without = _registrations(user, unit).filter(school_class__isnull=True).count()
    if without:
        found.append(("—", "未分班", without))
    return found


def by_status(user, unit):
    rows = _registrations(user, unit).values("status").annotate(n=Count("pk")).order_by("status")
    return [(STATUS_LABELS[r["status"]], r["n"]) for r in rows]


def changes_by_month(user, unit, months=12):
    """Approved cases of the unit by type and month (the last ``months`` months)."""
    since = timezone.now() - datetime.timedelta(days=31 * months)
    cases = access.in_scope(user, m.Case).filter(state=m.CaseState.APPROVED, decided_at__gte=since)
    cases = cases.filter(school=unit.school) if unit.is_school else cases.filter(scope_code__startswith=unit.code)
    rows = (cases.annotate(month=TruncMonth("decided_at")).values("case_type", "month").annotate(n=Count("pk"))
            .order_by("month", "case_type"))
    months_seen = sorted({r["month"].strftime("%Y-%m") for r in rows})
    table = {}
    for row in rows:
        name = CASE_TYPES[row["case_type"]].name if row["case_type"] in CASE_TYPES else row["case_type"]
        table.setdefault(name, {})[row["month"].strftime("%Y-%m")] = row["n"]
    return months_seen, sorted(table.items())


def overdue_steps(user, unit):
    """Workflow steps past their due date whose approver is the unit or below it: {step: count}."""
    from cases.workflow import task_states_overdue

    states = task_states_overdue(user)
    if unit.is_school:
        states = states.filter(approver_school=unit.school)
    else:
        states = states.filter(Q(approver_code__startswith=unit.code) | Q(approver_school__scope_code__startswith=unit.code))
    rows = states.values("task__name").annotate(n=Count("pk")).order_by("task__name")
    return [(r["task__name"], r["n"]) for r in rows]
