"""Exports: every one is a read of the registry, scoped through cases/access.py and logged.

Rosters (花名册) list the open registrations of a class, a grade, a school, or every school of a
county or city, as Excel (openpyxl, write-only) or PDF (WeasyPrint, the certificates' font
setup). One query for the rows, whatever their number; a PDF is refused above ``PDF_MAX_ROWS``.
"""

import io

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from cases import access
from cases import models as m
from cases.errors import RuleError

EXPORT_MAX_ROWS = 200_000  # a list larger than this is narrowed by filters first
PDF_MAX_ROWS = 5_000
ROSTER_HEADERS = ["序号", "学校", "学段", "年级", "班级", "学籍号", "姓名", "性别", "出生日期", "民族", "学籍辅号",
                  "学籍状态", "入学日期"]
STATUS = {k: str(v) for k, v in m.RegistrationStatus.choices}
STAGE = {k: str(v) for k, v in m.Stage.choices}
GENDER = {k: str(v) for k, v in m.Gender.choices}


def export_record(*, user, kind, rows, query="", students=()):
    """Log one export, and the students it holds as reads (第三十八条, the one read log)."""
    from cases.services.reads import student_reads_record

    scope = access.scope_of(user)
    label = {"student": "学生列表", "registration": "学籍列表", "case": "案卷列表", "certificate": "证书列表",
             "roster": "花名册"}.get(kind.split(".")[0], "督查明细")
    student_reads_record(acting_user=user, students=[s for s in students if s], door=m.ReadDoor.EXPORT,
                         what=label)  # Chinese: the read log is shown in the admin
    return m.ExportLog.objects.create(user=user if user and user.is_authenticated else None, kind=kind,
                                      query=query[:1000], rows=rows, scope_code=scope.code or "")


def roster_choices(user):
    """What a roster may name, for the admin's form and the API alike: the schools and classes
    in the user's scope, and the cities and counties at or below the user's unit (a county may
    read its city's name, not its roster)."""
    return {
        "schools": access.in_scope(user, m.School).order_by("code"),
        "units": m.Jurisdiction.objects.filter(access.scope_of(user).jurisdictions(),
                                               level__in=["city", "county"]).order_by("code"),
        "classes": access.in_scope(user, m.SchoolClass).select_related("school"),
    }


def roster_title(*, school=None, school_class=None, unit=None, stage=None, grade=None):
    if school_class is not None:
        return f"{school_class.school.name} {school_class.grade_label()}{school_class.class_name} 学生花名册"
    where = school.name if school is not None else unit.name
    grade = f" 第{grade}学年" if grade else ""
    stage = STAGE.get(stage, "") if stage else ""
    return f"{where}{stage}{grade} 学生花名册"


def roster_registrations(user, *, school=None, school_class=None, grade=None, unit_code=None, stage=None):
    """The open registrations of a roster, in the user's read scope (nothing out of scope, ever)."""
    registrations = access.in_scope(user, m.Registration, m.Registration.objects.open())
    if school_class is not None:
        registrations = registrations.filter(school_class=school_class)
    if school is not None:
        registrations = registrations.filter(school=school)
    if unit_code:
        registrations = registrations.filter(school__scope_code__startswith=unit_code)
    if stage:
        registrations = registrations.filter(stage=stage)
    if grade:
        cohort = m.school_year_of(timezone.localdate()) - int(grade) + 1
        registrations = registrations.filter(school_class__cohort=cohort)
    auxiliary = m.AuxiliaryNumber.objects.filter(registration=OuterRef("pk"), cancelled_at__isnull=True)
    return (registrations.select_related("student", "school", "school_class")
            .annotate(auxiliary=Subquery(auxiliary.values("number")[:1]))
            .order_by("school__code", "stage", "school_class__cohort", "school_class__class_name",
                      "student__registry_number"))


def _values(index, r):
    klass = r.school_class
    return [index, r.school.name, STAGE.get(r.stage, r.stage), klass.grade_label() if klass else "",
            klass.class_name if klass else "", r.student.registry_number, r.student.name,
            GENDER.get(r.student.gender, ""), r.student.birth_date, r.student.ethnicity, r.auxiliary or "",
            STATUS.get(r.status, r.status), r.started_on]


def _bounded(registrations, limit):
    rows = list(registrations[:limit + 1])
    if len(rows) > limit:
        raise RuleError("export_too_large", f"超过 {limit} 行,请按学校、年级或班级缩小范围后再导出")
    return rows


def roster_xlsx(*, user, title, registrations, query=""):
    rows = _bounded(registrations, EXPORT_MAX_ROWS)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append([title])
    sheet.append(ROSTER_HEADERS)
    for index, registration in enumerate(rows, start=1):
        sheet.append(_values(index, registration))
    output = io.BytesIO()
    workbook.save(output)
    export_record(user=user, kind="roster.xlsx", rows=len(rows), query=query, students=[r.student_id for r in rows])
    return output.getvalue()


def roster_pdf(*, user, title, registrations, query=""):
    from weasyprint import HTML

    rows = _bounded(registrations, PDF_MAX_ROWS)
    html = render_to_string("rosters/roster.html", {
        "title": title, "headers": ROSTER_HEADERS, "rows": [_values(i, r) for i, r in enumerate(rows, start=1)],
        "printed_on": timezone.localdate(),
    })
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    export_record(user=user, kind="roster.pdf", rows=len(rows), query=query, students=[r.student_id for r in rows])
    return pdf


def table_xlsx(*, user, kind, title, headers, rows, query="", students=()):
    """A statistics or report table as a workbook, logged as an export (the admin's and the
    API's downloads alike)."""
    content = workbook_of(title, headers, rows)
    export_record(user=user, kind=kind, rows=len(rows), query=query, students=students)
    return content


def workbook_of(title, headers, rows):
    """A one-sheet workbook (statistics and reports)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([v if isinstance(v, (int, float)) or v is None else str(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
