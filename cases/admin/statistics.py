"""统计报表 and oversight reports in the admin: tables with charts (Chart.js from our static files),
drill-down by unit, Excel export (logged). Figures come from cases/statistics.py and
cases/oversight.py; scope from cases/access.py (a unit out of scope answers 404)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem, SubmenuMenuItem
from wagtail.admin.menu import Menu

from cases import access
from cases import oversight
from cases import statistics as stats
from cases.edge import is_digits
from cases.models import ReadDoor
from cases.services.exports import table_xlsx
from cases.services.reads import student_reads_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request):
    school = request.GET.get("school")
    unit = stats.unit_for(request.user, code=request.GET.get("code") or None,
                          school_id=int(school) if is_digits(school) else None)
    if unit is None:
        raise Http404
    return unit


def _xlsx(request, kind, title, headers, rows, students=()):
    content = table_xlsx(user=request.user, kind=kind, title=title, headers=headers, rows=rows,
                         query=request.GET.urlencode(), students=students)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _drill_url(name, drill):
    if not drill:
        return None
    key, value = drill
    return f"{reverse(name)}?{key}={value}"


def statistics_page(request):
    unit = _unit(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx(request, "statistics", "学籍统计", *stats.unit_table(request.user, unit))
    rows, total = stats.by_unit(request.user, unit)
    stage_columns = stats.STAGES
    headers = ["单位", *[label for _, label in stats.columns()]]
    keys = [k for k, _ in stats.columns()]
    for row in rows:
        row["url"] = _drill_url("xueji_statistics", row["drill"])
        row["values"] = [row[k] for k in keys]
    total["values"] = [total[k] for k in keys]
    grades = stats.by_grade(request.user, unit)
    status = stats.by_status(request.user, unit)
    months, changes = stats.changes_by_month(request.user, unit)
    context = {
        "unit": unit, "title": _unit_title(unit), "headers": headers, "rows": rows, "total": total,
        "grades": grades, "status": status, "months": months,
        "changes": [(name, [by_month.get(month, 0) for month in months]) for name, by_month in changes],
        "overdue": stats.overdue_steps(request.user, unit),
        "chart_units": {"labels": [r["label"] for r in rows], "datasets": [
            {"label": label, "data": [r[key] for r in rows]} for key, label in stage_columns]},
        "chart_status": {"labels": [s for s, _ in status], "values": [n for _, n in status]},
        "chart_grades": {"labels": [f"{s}{g}" for s, g, _ in grades], "values": [n for _, _, n in grades]},
        "up_url": _up_url(request, unit, "xueji_statistics"),
        "taken_at": _taken_at(),
    }
    return render(request, "cases/admin/statistics.html", context)


def _taken_at():
    from django.utils import timezone

    from cases.services.certificates import chinese_date

    taken = stats.snapshot()
    if taken is None:
        return None
    local = timezone.localtime(taken.taken_at)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def _unit_title(unit):
    from cases.models import Jurisdiction

    if unit.is_school:
        return unit.school.name
    return Jurisdiction.objects.filter(code=unit.code).values_list("name", flat=True).first() or unit.code


def _up_url(request, unit, name):
    own = access.scope_of(request.user)
    if unit.is_school:
        parent = unit.school.scope_code
    else:
        parent = unit.code[:-2] if len(unit.code) > 2 else None
        if len(unit.code) == 9:
            parent = unit.code[:6]
    if not parent or own.school_id or (own.code and not parent.startswith(own.code)):
        return None
    return f"{reverse(name)}?code={parent}"


def oversight_page(request):
    unit = _unit(request)
    report = request.GET.get("report", "recheck")
    if report not in oversight.REPORTS:
        raise Http404
    spec = oversight.REPORTS[report]
    check = request.GET.get("check")
    if check:  # drill-down to the records of one check
        if check not in spec["checks"]:
            raise Http404
        if request.GET.get("export") == "xlsx":
            title, headers, rows, students = oversight.records_table(request.user, unit, report, check)
            return _xlsx(request, f"oversight-{check}", title, headers, rows, students=students)
        records = oversight.records(request.user, unit, report, check)
        student_reads_record(acting_user=request.user, students=[r["student"] for r in records[:oversight.RECORDS_SHOWN]
                                                                 if r["student"]],
                             door=ReadDoor.ADMIN_LIST, what=spec["checks"][check])
        return render(request, "cases/admin/oversight_records.html", {
            "unit": unit, "title": _unit_title(unit), "spec": spec, "check_label": spec["checks"][check],
            "records": records[:oversight.RECORDS_SHOWN], "count": len(records),
            "headers": oversight.RECORD_HEADERS, "report": report,
            "export_url": request.get_full_path() + "&export=xlsx"})
    if request.GET.get("export") == "xlsx":
        return _xlsx(request, f"oversight-{report}", *oversight.counts_table(request.user, unit, report))
    rows, total, note = oversight.report_counts(request.user, unit, report)
    checks = list(spec["checks"].items())
    base = reverse("xueji_oversight")
    for row in rows:
        row["url"] = _drill_url("xueji_oversight", row["drill"])
        if row["url"]:
            row["url"] += f"&report={report}"
        key, value = ("school", row["key"]) if (unit.is_school or len(unit.code) >= 6) else ("code", row["key"])
        row["cells"] = [(row[k], f"{base}?report={report}&{key}={value}&check={k}") for k, _ in checks]
    unit_key = f"school={unit.school.pk}" if unit.is_school else f"code={unit.code}"
    total["cells"] = [(total[k], f"{base}?report={report}&{unit_key}&check={k}") for k, _ in checks]
    return render(request, "cases/admin/oversight.html", {
        "unit": unit, "title": _unit_title(unit), "spec": spec, "checks": checks, "rows": rows, "total": total,
        "report": report, "reports": [(k, v["title"]) for k, v in oversight.REPORTS.items()],
        "up_url": _up_url(request, unit, "xueji_oversight"), "unit_key": unit_key, "snapshot_note": note})


@hooks.register("register_admin_urls")
def statistics_urls():
    return [
        path("statistics/", statistics_page, name="xueji_statistics"),
        path("oversight/", oversight_page, name="xueji_oversight"),
    ]


class ScopedMenuItem(MenuItem):
    """Shown to staff with a unit (or a superuser): everyone else has nothing to count."""

    def is_shown(self, request):
        return not access.scope_of(request.user).is_empty


class ViewableMenuItem(MenuItem):
    """A listing offered only to whoever may open it (its viewset's permission policy): the exam
    authority keeps no certificates, a school runs no scheduled jobs."""

    def __init__(self, label, url, model_name, **kwargs):
        super().__init__(label, url, **kwargs)
        self.model_name = model_name

    def is_shown(self, request):
        from django.apps import apps

        model = apps.get_model("cases", self.model_name)
        return model.snippet_viewset.permission_policy.user_has_permission(request.user, "view")


@hooks.register("register_admin_menu_item")
def reports_menu():
    items = [
        ScopedMenuItem("学籍统计", reverse("xueji_statistics"), icon_name="table", order=10),
        ScopedMenuItem("学期复核与督查", reverse("xueji_oversight"), icon_name="warning", order=20),
        ScopedMenuItem("学生花名册", reverse("xueji_rosters"), icon_name="list-ul", order=30),
        ScopedMenuItem("查重裁定记录", reverse("xueji_duplicate_decisions"), icon_name="user", order=40),
        ViewableMenuItem("证书证明", reverse("wagtailsnippets_cases_certificate:list"), "certificate",
                         icon_name="doc-full", order=50),
        ViewableMenuItem("定时任务", reverse("wagtailsnippets_cases_jobrun:list"), "jobrun", icon_name="time",
                         order=60),
    ]
    return SubmenuMenuItem("统计报表", Menu(items=items), icon_name="table", order=150)
