"""Oversight reports: the semester re-check (第三十七条) and the board of the authority above
(第四十条). Each check is a queryset (a condition, never a loop), counted per unit with one
GROUP BY and opened to its records; scope from cases/access.py, units as in cases/statistics.py.
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
    Value,
)
from django.db.models.functions import Cast, Replace, Substr
from django.utils import timezone

from cases import access
from cases import models as m
from cases.statistics import _child_expression, _label
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


def _checks(user, unit, check):
    """(queryset, school path) of one check."""
    today = timezone.localdate()
    registrations = _open(user, unit)
    if check == "missing_id":
        return registrations.filter(student__id_number__isnull=True).exclude(
            student__household_type__in=[m.HouseholdType.NONE, m.HouseholdType.OVERSEAS]), "school"
    if check == "suspicious_id":
        birth = Replace(Cast("student__birth_date", CharField()), Value("-"), Value(""))
        return registrations.filter(student__id_number__isnull=False).annotate(
            id_birth=Substr("student__id_number", 7, 8), birth=birth, parity=Substr("student__id_number", 17, 1),
        ).filter(~Q(id_birth=F("birth")) | Q(student__gender=m.Gender.MALE, parity__in=EVEN)
                 | Q(student__gender=m.Gender.FEMALE, parity__in=ODD)), "school"
    if check == "no_class":
        return registrations.filter(school_class__isnull=True), "school"
    if check == "no_auxiliary":
        live = m.AuxiliaryNumber.objects.filter(registration=OuterRef("pk"), cancelled_at__isnull=True)
        return registrations.filter(~Exists(live)), "school"
    if check == "incomplete":
        guardians = m.Guardian.objects.filter(student=OuterRef("student"))
        return registrations.filter(Q(student__native_place="") | Q(student__household_address="")
                                    | ~Exists(guardians)), "school"
    if check == "suspension_overdue":
        return registrations.filter(status=m.RegistrationStatus.SUSPENDED, suspended_until__lt=today), "school"
    if check in ("cases_overdue", "approvals_overdue"):
        overdue = _overdue_states(user, unit).annotate(
            case_id=Cast("workflow_state__object_id", IntegerField())).values("case_id")
        return _cases(user, unit).filter(pk__in=overdue), "school"
    if check == "archive_missing":
        archives = m.ArchiveEntry.objects.filter(student=OuterRef("student"), school=OuterRef("school"))
        month_ago = today - datetime.timedelta(days=31)
        return registrations.filter(started_on__lt=month_ago).filter(~Exists(archives)), "school"
    if check == "dropout_late":
        # 第三十二条: a pupil away a week or more is reported at once; the case's effective day is the
        # first day away, its submission the report.
        limit = ExpressionWrapper(F("effective_on") + datetime.timedelta(days=8), output_field=DateField())
        return _cases(user, unit).filter(case_type="dropout", submitted_at__isnull=False).annotate(
            limit=limit).filter(submitted_at__date__gte=F("limit")), "school"
    if check == "taken_without_transfer":
        earlier = m.Registration.objects.filter(student=OuterRef("student"), stage=OuterRef("stage"),
                                                started_on__lt=OuterRef("started_on")).exclude(school=OuterRef("school"))
        transfer = m.Case.objects.filter(case_type="transfer", state=m.CaseState.APPROVED, student=OuterRef("student"),
                                         destination_school=OuterRef("school"))
        return registrations.filter(Exists(earlier)).filter(~Exists(transfer)), "school"
    if check == "death_late":
        return _cases(user, unit).filter(case_type="death", details__reported_late=True), "school"
    raise KeyError(check)


def counts(user, unit, report):
    """One row per child unit with the count of each check (one GROUP BY per check), and the total."""
    checks = REPORTS[report]["checks"]
    expression = _child_expression(unit)
    table = {}
    for check in checks:
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
    return rows, total


def counts_table(user, unit, report):
    """(title, headers, rows) of one report's counts as it is exported."""
    rows, total = counts(user, unit, report)
    checks = list(REPORTS[report]["checks"].items())
    return (REPORTS[report]["title"], ["单位", *[label for _, label in checks]],
            [[r["label"], *[r[k] for k, _ in checks]] for r in [*rows, total]])


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
