"""Oversight reports: the semester re-check (第三十七条) and the board of the authority above
(第四十条). Each check is a queryset (a condition, never a loop), counted per unit with one
GROUP BY and opened to its records; scope from cases/access.py, units as in cases/statistics.py.
Above a county the registration-based checks are read from the daily statistics snapshot
(``OversightCell``: one GROUP BY of five million registrations per check took seconds); counties,
schools, the case-based checks and the records are always live.
"""

import datetime

from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Replace, Substr
from django.utils import timezone

from cases import access
from cases import models as m
from cases.statistics import _child_expression, _label, snapshot
from cases.workflow import task_states_overdue

RECORDS_SHOWN = 500
RECORD_HEADERS = ["学校", "学籍号/案卷", "姓名", "说明", "日期"]
EVEN, ODD = ["0", "2", "4", "6", "8"], ["1", "3", "5", "7", "9"]

REPORTS = {
    "recheck": {"title": "学期学籍复核(第三十七条)", "checks": {
        "missing_id": "缺少公民身份号码",
        "suspicious_id": "身份号码与出生日期或性别不符",
        "no_class": "未分班",
        "no_auxiliary": "缺少学籍辅号",
        "incomplete": "基本信息不全(籍贯、户籍地址或监护人)",
        "suspension_overdue": "休学期满未复学",
        "cases_overdue": "逾期未办的变动",
    }},
    "board": {"title": "学校违规情形督查(第四十条)", "checks": {
        "archive_missing": "入学满1个月未建立学籍档案",
        "dropout_late": "辍学超过一周未上报",
        "taken_without_transfer": "未办转学手续接收入学",
        "death_late": "死亡注销逾期报告",
        "approvals_overdue": "逾期未审批",
    }},
}


def _open(user, unit):
    registrations = access.in_scope(user, m.Registration, m.Registration.objects.open())
    return registrations.filter(school=unit.school) if unit.is_school else registrations.filter(
        school__scope_code__startswith=unit.code)


def _cases(user, unit):
    cases = access.in_scope(user, m.Case)
    return cases.filter(school=unit.school) if unit.is_school else cases.filter(scope_code__startswith=unit.code)


def _overdue_states(user, unit):
    states = task_states_overdue(user)
    if unit.is_school:
        return states.filter(approver_school=unit.school)
    return states.filter(Q(approver_code__startswith=unit.code) | Q(approver_school__scope_code__startswith=unit.code))


# Registration-based checks: a condition over any queryset of open registrations, so the same
# definition counts a unit live and the whole registry for the daily snapshot
# (cases/services/statistics.py).
def _missing_id(registrations, today):
    return registrations.filter(student__id_number__isnull=True).exclude(
        student__household_type__in=[m.HouseholdType.NONE, m.HouseholdType.OVERSEAS])


def _suspicious_id(registrations, today):
    birth = Replace(Cast("student__birth_date", CharField()), Value("-"), Value(""))
    return registrations.filter(student__id_number__isnull=False).annotate(
        id_birth=Substr("student__id_number", 7, 8), birth=birth, parity=Substr("student__id_number", 17, 1),
    ).filter(~Q(id_birth=F("birth")) | Q(student__gender=m.Gender.MALE, parity__in=EVEN)
             | Q(student__gender=m.Gender.FEMALE, parity__in=ODD))


def _no_class(registrations, today):
    return registrations.filter(school_class__isnull=True)


def _no_auxiliary(registrations, today):
    live = m.AuxiliaryNumber.objects.filter(registration=OuterRef("pk"), cancelled_at__isnull=True)
    return registrations.filter(~Exists(live))


def _incomplete(registrations, today):
    guardians = m.Guardian.objects.filter(student=OuterRef("student"))
    return registrations.filter(Q(student__native_place="") | Q(student__household_address="") | ~Exists(guardians))


def _suspension_overdue(registrations, today):
    return registrations.filter(status=m.RegistrationStatus.SUSPENDED, suspended_until__lt=today)


def _archive_missing(registrations, today):
    archives = m.ArchiveEntry.objects.filter(student=OuterRef("student"), school=OuterRef("school"))
    month_ago = today - datetime.timedelta(days=31)
    return registrations.filter(started_on__lt=month_ago).filter(~Exists(archives))


def _taken_without_transfer(registrations, today):
    earlier = m.Registration.objects.filter(student=OuterRef("student"), stage=OuterRef("stage"),
                                            started_on__lt=OuterRef("started_on")).exclude(school=OuterRef("school"))
    transfer = m.Case.objects.filter(case_type="transfer", state=m.CaseState.APPROVED, student=OuterRef("student"),
                                     destination_school=OuterRef("school"))
    return registrations.filter(Exists(earlier)).filter(~Exists(transfer))


REGISTRATION_CONDITIONS = {
    "missing_id": _missing_id, "suspicious_id": _suspicious_id, "no_class": _no_class,
    "no_auxiliary": _no_auxiliary, "incomplete": _incomplete, "suspension_overdue": _suspension_overdue,
    "archive_missing": _archive_missing, "taken_without_transfer": _taken_without_transfer,
}
REGISTRATION_CHECKS = tuple(REGISTRATION_CONDITIONS)


def registration_check(registrations, check, today=None):
    """``registrations`` (open ones, any scope) narrowed to those failing ``check``."""
    return REGISTRATION_CONDITIONS[check](registrations, today or timezone.localdate())


def _checks(user, unit, check):
    """(queryset, school path) of one check."""
    if check in REGISTRATION_CONDITIONS:
        return registration_check(_open(user, unit), check), "school"
    if check in ("cases_overdue", "approvals_overdue"):
        overdue = _overdue_states(user, unit).annotate(
            case_id=Cast("workflow_state__object_id", IntegerField())).values("case_id")
        return _cases(user, unit).filter(pk__in=overdue), "school"
    if check == "dropout_late":
        # 第三十二条: a pupil away a week or more is reported at once; the case's effective day is the
        # first day away, its submission the report.
        limit = ExpressionWrapper(F("effective_on") + datetime.timedelta(days=8), output_field=DateField())
        return _cases(user, unit).filter(case_type="dropout", submitted_at__isnull=False).annotate(
            limit=limit).filter(submitted_at__date__gte=F("limit")), "school"
    if check == "death_late":
        return _cases(user, unit).filter(case_type="death", details__reported_late=True), "school"
    raise KeyError(check)


def snapshot_for(unit):
    """The statistics snapshot a unit's registration-based counts come from, or None when they
    are counted live: a county or a school (a school fixing its records sees its counts change
    at once, and counting a county live is cheap), or no snapshot with oversight cells yet."""
    if unit.is_school or len(unit.code) >= 6:
        return None
    taken = snapshot()
    return taken if taken is not None and taken.oversight_cells is not None else None


def snapshot_note(taken):
    """The line telling from when a report's snapshot-based counts are, or None (all live)."""
    if taken is None:
        return None
    local = timezone.localtime(taken.taken_at)
    return f"学籍类检查为 {local.year}年{local.month}月{local.day}日 {local:%H:%M} 统计快照数据,逾期案卷为实时数据"


def _cell_counts(user, unit, checks):
    """{child: {check: n}} of ``checks`` from the snapshot's cells: the schools of the unit in the
    user's scope (the live path's scope of registrations), summed per child unit, one query."""
    cells = m.OversightCell.objects.filter(access.scope_of(user).schools("school__"),
                                           school__scope_code__startswith=unit.code, check_key__in=checks)
    grouped = (cells.annotate(child=_child_expression(unit)).values("child", "check_key").annotate(n=Sum("n"))
               .order_by())
    table = {}
    for row in grouped:
        table.setdefault(row["child"], {})[row["check_key"]] = row["n"]
    return table


def counts(user, unit, report):
    """One row per child unit with the count of each check, and the total."""
    rows, total, _ = report_counts(user, unit, report)
    return rows, total


def report_counts(user, unit, report):
    """(rows, total, note): one row per child unit with the count of each check (one GROUP BY per
    check), the total, and the snapshot's line (``snapshot_note``, None when all is live). Above
    a county the registration-based checks are read from the daily snapshot (one query for all
    of them; see ``snapshot_for``), the case-based ones counted live."""
    checks = REPORTS[report]["checks"]
    expression = _child_expression(unit)
    live = list(checks)
    table = {}
    taken = snapshot_for(unit)
    if taken is not None:
        from_cells = [check for check in checks if check in REGISTRATION_CONDITIONS]
        table = _cell_counts(user, unit, from_cells)
        live = [check for check in checks if check not in REGISTRATION_CONDITIONS]
    for check in live:
        queryset, school = _checks(user, unit, check)
        if expression is None:
            table.setdefault(unit.school.pk, {})[check] = queryset.count()
            continue
        child = F(f"{school}_id") if len(unit.code) >= 6 else Substr(f"{school}__scope_code", 1, len(unit.code) + 2)
        grouped = queryset.annotate(child=child).values("child").annotate(n=Count("pk", distinct=True)).order_by()
        for row in grouped:
            table.setdefault(row["child"], {})[check] = row["n"]
    rows = [{"key": key, **{c: values.get(c, 0) for c in checks}} for key, values in sorted(table.items())]
    if rows:
        _label(rows, unit)
    total = {"label": "合计", "drill": None, **{c: sum(r[c] for r in rows) for c in checks}}
    return rows, total, snapshot_note(taken)


def counts_table(user, unit, report):
    """(title, headers, rows) of one report's counts as it is exported; below the total, from
    when the snapshot-based counts are (if any)."""
    rows, total, note = report_counts(user, unit, report)
    checks = list(REPORTS[report]["checks"].items())
    table = [[r["label"], *[r[k] for k, _ in checks]] for r in [*rows, total]]
    return REPORTS[report]["title"], ["单位", *[label for _, label in checks]], table + ([[note]] if note else [])


def records_table(user, unit, report, check):
    """(title, headers, rows, students) of one check's records as they are exported."""
    found = records(user, unit, report, check)
    return (REPORTS[report]["checks"][check], RECORD_HEADERS, [r["values"] for r in found],
            [r["student"] for r in found])


def records(user, unit, report, check, limit=None):
    """The records behind one count: [{values, url, student, case}] (bounded by the export limit,
    or by ``limit``)."""
    from django.urls import reverse

    from cases.services.exports import EXPORT_MAX_ROWS

    limit = EXPORT_MAX_ROWS if limit is None else min(limit, EXPORT_MAX_ROWS)
    queryset, _ = _checks(user, unit, check)
    label = REPORTS[report]["checks"][check]
    found = []
    if queryset.model is m.Case:
        for case in queryset.select_related("school", "student").order_by("school__code", "pk")[:limit]:
            found.append({"student": case.student_id, "case": case.pk,
                          "values": [case.school.name, case.number, case.student.name if case.student_id else "",
                                     f"{case.type_name}:{label}",
                                     case.effective_on.isoformat() if case.effective_on else ""],
                          "url": reverse("wagtailsnippets_cases_case:edit", args=[case.pk])})
        return found
    registrations = list(queryset.select_related("school", "student").order_by("school__code",
                                                                                "student__registry_number")[:limit])
    # A G registry number is the ID number: whole only for the holder (one query for the list).
    access.personal_view(user, [registration.student for registration in registrations])
    for registration in registrations:
        student = registration.student
        found.append({"student": student.pk, "case": None,
                      "values": [registration.school.name, student.registry_number, student.name, label,
                                 registration.started_on.isoformat()],
                      "url": reverse("wagtailsnippets_cases_student:inspect", args=[student.pk])})
    return found
