"""Statistics for each authority and school (counts of the registry), set-based.

Every figure is a GROUP BY over the user's scope, so a page costs the same few queries whatever
the number of students, and a county sees only its own. Units drill down by supervision, the
same prefix rule as access (cases/access.py): the province's rows are its cities (and the
schools it supervises directly), a city's rows its counties (and its own schools), a county's
rows its schools.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from cases import access
from cases import models as m
from cases.case_types import CASE_TYPES
from cases.services.statistics import CUBE_COUNTS, cube_queryset

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


def snapshot():
    """The latest statistics snapshot (cases/models/statistics.py), or None: figures are then
    counted from the registry itself."""
    return m.StatisticsSnapshot.objects.order_by("-taken_at", "-id").first()


def cells(user, unit):
    """The cube's rows for ``unit`` within the user's scope, grouped per child unit (``child``),
    stage, cohort and status, with their counts: from the latest snapshot, else counted from the
    registry. One query, a few thousand rows at most; cached on the user for the request."""
    cache = user.__dict__.setdefault("_xueji_cells", {})
    key = (unit.code, unit.school.pk if unit.is_school else None)
    if key not in cache:
        child = Value(unit.school.pk) if unit.is_school else _child_expression(unit)
        if snapshot() is not None:
            rows = m.StatisticsCell.objects.filter(access.scope_of(user).schools("school__"))
            rows = (rows.filter(school=unit.school) if unit.is_school
                    else rows.filter(school__scope_code__startswith=unit.code))
            rows = (rows.order_by().annotate(child=child).values("child", "stage", "cohort", "status")
                    .annotate(**{name: Sum(name) for name in CUBE_COUNTS}))
            cache[key] = list(rows)
        else:
            cache[key] = list(cube_queryset(_registrations(user, unit), child=child))
    return cache[key]


def _child_expression(unit):
    """The column naming each row's child unit: a longer scope-code prefix, or the school (for
    reports that group in SQL, cases/oversight.py)."""
    if unit.is_school:
        return None
    if len(unit.code) >= 6:
        return F("school_id")
    return Substr("school__scope_code", 1, len(unit.code) + 2)


FLAG_KEYS = ["total", *[stage for stage, _ in STAGES], "male", "female", "migrant", "left_behind", "disabled",
             "suspended", "dropped_out"]


def _add(row, cell):
    row["total"] += cell["n"]
    row[cell["stage"]] = row.get(cell["stage"], 0) + cell["n"]
    for name in ("male", "female", "migrant", "left_behind", "disabled"):
        row[name] += cell[name]
    if cell["status"] in (m.RegistrationStatus.SUSPENDED, m.RegistrationStatus.DROPPED_OUT):
        row[cell["status"]] += cell["n"]


def by_unit(user, unit):
    """[{key, label, drill, total, <stage>…, male…}] one row per child unit, and the total row."""
    rows = {}
    if unit.is_school:
        rows[unit.school.pk] = dict.fromkeys(FLAG_KEYS, 0)
    for cell in cells(user, unit):
        _add(rows.setdefault(cell["child"], dict.fromkeys(FLAG_KEYS, 0)), cell)
    rows = [{"key": key, **row} for key, row in sorted(rows.items())]
    _label(rows, unit)
    total = {"label": "合计", "drill": None, **{k: sum(r[k] for r in rows) for k in FLAG_KEYS}}
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
    """[(stage label, grade label, count)] of the open registrations with a class, and those
    without one."""
    year = m.school_year_of(timezone.localdate())
    counted, without = {}, 0
    for cell in cells(user, unit):
        if cell["cohort"] is None:
            without += cell["n"]
        else:
            counted[(cell["stage"], cell["cohort"])] = counted.get((cell["stage"], cell["cohort"]), 0) + cell["n"]
    found = []
    for (stage, cohort), n in sorted(counted.items(), key=lambda item: (item[0][0], -item[0][1])):
        klass = m.SchoolClass(stage=stage, cohort=cohort)
        found.append((dict(STAGES)[stage], klass.grade_label(datetime.date(year, 9, 1)), n))
    if without:
        found.append(("—", "未分班", without))
    return found


def by_status(user, unit):
    counted = {}
    for cell in cells(user, unit):
        counted[cell["status"]] = counted.get(cell["status"], 0) + cell["n"]
    return [(STATUS_LABELS[status], n) for status, n in sorted(counted.items())]


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
