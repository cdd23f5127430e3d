"""Statistics (学籍统计), the oversight reports of 第三十七条 (semester re-check) and 第四十条 (the
board), and rosters: the admin's figures, from the same functions (cases/statistics.py,
cases/oversight.py, cases/services/exports.py), in the same scope; each page costs a constant
number of queries. Excel and PDF downloads are URLs served by graphql_api/downloads.py, scoped
again and logged on every download."""

import datetime
from urllib.parse import urlencode

import graphene
from django.urls import reverse
from graphql_relay import to_global_id

from cases import models as m
from cases import oversight
from cases import statistics as stats
from cases.services.reads import student_reads_record
from graphql_api.core import enums
from graphql_api.core.errors import ApiError

from .units import BadArgument, report_unit, roster_query, roster_selection, unit_label, unit_query

STATUS_BY_LABEL = {str(label): value for value, label in m.RegistrationStatus.choices}
RECORDS_MAX = 500


def _unit(user, code, school_id):
    try:
        return report_unit(user, code=code, school_id=school_id)
    except BadArgument as error:
        raise ApiError(str(error), "invalid_argument") from None


def _drill(row):
    """(code, school id) of the child unit a row opens, as the admin's links."""
    kind, value = row.get("drill") or (None, None)
    return (value if kind == "code" else None), (to_global_id("School", value) if kind == "school" else None)


# --- statistics ---------------------------------------------------------------------------------
class StageCount(graphene.ObjectType):
    stage = graphene.Field(enums.Stage, required=True)
    count = graphene.Int(required=True)


class StatisticsRow(graphene.ObjectType):
    """一个下级单位(或本单位合计)的在籍人数。"""

    label = graphene.String(required=True, description="单位名称;合计行为“合计”")
    code = graphene.String(description="下级行政区划代码(可作为 statistics(code:) 下钻);其他为空")
    school_id = graphene.ID(description="下级学校(可作为 statistics(schoolId:) 下钻);其他为空")
    total = graphene.Int(required=True, description="在籍总数")
    stages = graphene.List(graphene.NonNull(StageCount), required=True, description="各学段人数")
    male = graphene.Int(required=True)
    female = graphene.Int(required=True)
    migrant = graphene.Int(required=True, description="进城务工人员随迁子女")
    left_behind = graphene.Int(required=True, description="留守儿童")
    disabled = graphene.Int(required=True, description="残疾学生")
    suspended = graphene.Int(required=True, description="休学")
    dropped_out = graphene.Int(required=True, description="辍学")

    @staticmethod
    def of(row):
        code, school_id = _drill(row)
        return StatisticsRow(
            label=row["label"], code=code, school_id=school_id, total=row["total"],
            stages=[StageCount(stage=stage, count=row[stage]) for stage, _ in stats.STAGES],
            male=row["male"], female=row["female"], migrant=row["migrant"], left_behind=row["left_behind"],
            disabled=row["disabled"], suspended=row["suspended"], dropped_out=row["dropped_out"])


class GradeCount(graphene.ObjectType):
    stage_label = graphene.String(required=True, description="学段;未分班为 —")
    grade_label = graphene.String(required=True, description="如 初二;未分班")
    count = graphene.Int(required=True)


class StatusCount(graphene.ObjectType):
    status = graphene.Field(enums.RegistrationStatus, required=True)
    label = graphene.String(required=True)
    count = graphene.Int(required=True)


class ChangeTypeCount(graphene.ObjectType):
    name = graphene.String(required=True, description="变动类型")
    counts = graphene.List(graphene.NonNull(graphene.Int), required=True, description="与 months 一一对应")


class ChangesByMonth(graphene.ObjectType):
    months = graphene.List(graphene.NonNull(graphene.String), required=True, description="YYYY-MM")
    types = graphene.List(graphene.NonNull(ChangeTypeCount), required=True)


class StepCount(graphene.ObjectType):
    step = graphene.String(required=True)
    count = graphene.Int(required=True)


class Statistics(graphene.ObjectType):
    """一个单位的学籍统计,与管理后台“学籍统计”相同的数字:在籍学生(在读、休学、辍学、出境)按下级单位、
    学段、性别及随迁、留守、残疾等;按年级、按学籍状态;近12个月办结的变动;逾期未办的审批步骤。"""

    title = graphene.String(required=True, description="单位名称")
    code = graphene.String(description="单位的行政区划代码;学校为空")
    school_id = graphene.ID(description="学校;行政区划为空")
    rows = graphene.List(graphene.NonNull(StatisticsRow), required=True, description="每个下级单位一行")
    total = graphene.Field(StatisticsRow, required=True)
    grades = graphene.List(graphene.NonNull(GradeCount), required=True)
    statuses = graphene.List(graphene.NonNull(StatusCount), required=True)
    changes = graphene.Field(ChangesByMonth, required=True, description="近12个月办结的学籍变动")
    overdue_steps = graphene.List(graphene.NonNull(StepCount), required=True, description="逾期未办的审批步骤")
    export_url = graphene.String(required=True, description="Excel 下载地址(会话或令牌;每次下载记入导出记录)")

    def __init__(self, user, unit):
        super().__init__()
        self.user, self.unit = user, unit

    def _by_unit(self):
        if not hasattr(self, "_rows"):
            self._rows = stats.by_unit(self.user, self.unit)
        return self._rows

    def resolve_title(self, info):
        return unit_label(self.unit)

    def resolve_code(self, info):
        return None if self.unit.is_school else self.unit.code

    def resolve_school_id(self, info):
        return to_global_id("School", self.unit.school.pk) if self.unit.is_school else None

    def resolve_rows(self, info):
        return [StatisticsRow.of(row) for row in self._by_unit()[0]]

    def resolve_total(self, info):
        return StatisticsRow.of(self._by_unit()[1])

    def resolve_grades(self, info):
        return [GradeCount(stage_label=s, grade_label=g, count=n) for s, g, n in stats.by_grade(self.user, self.unit)]

    def resolve_statuses(self, info):
        return [StatusCount(status=STATUS_BY_LABEL[label], label=label, count=n)
                for label, n in stats.by_status(self.user, self.unit)]

    def resolve_changes(self, info):
        months, changes = stats.changes_by_month(self.user, self.unit)
        return ChangesByMonth(months=months, types=[
            ChangeTypeCount(name=name, counts=[by_month.get(month, 0) for month in months]) for name, by_month in changes])

    def resolve_overdue_steps(self, info):
        return [StepCount(step=step, count=n) for step, n in stats.overdue_steps(self.user, self.unit)]

    def resolve_export_url(self, info):
        return f"{reverse('graphql_statistics_xlsx')}?{urlencode(unit_query(self.unit))}"


# --- oversight (第三十七、四十条) ----------------------------------------------------------------
OversightReportKind = graphene.Enum(
    "OversightReportKind", [(key.upper(), key) for key in oversight.REPORTS],
    description=lambda member: oversight.REPORTS[member.value]["title"] if member else "督查报表")
OversightCheck = graphene.Enum(
    "OversightCheck", [(check.upper(), check) for spec in oversight.REPORTS.values() for check in spec["checks"]],
    description=lambda member: next(s["checks"][member.value] for s in oversight.REPORTS.values()
                                    if member.value in s["checks"]) if member else "督查项目")


class OversightCheckInfo(graphene.ObjectType):
    check = graphene.Field(OversightCheck, required=True)
    label = graphene.String(required=True)


class CheckCount(graphene.ObjectType):
    check = graphene.Field(OversightCheck, required=True)
    count = graphene.Int(required=True)


class OversightRow(graphene.ObjectType):
    label = graphene.String(required=True)
    code = graphene.String(description="下级行政区划代码(下钻);其他为空")
    school_id = graphene.ID(description="下级学校(下钻);其他为空")
    counts = graphene.List(graphene.NonNull(CheckCount), required=True, description="每个督查项目的数量")


class OversightReport(graphene.ObjectType):
    """学期学籍复核(第三十七条)或学校违规情形督查(第四十条):每个下级单位每个项目的数量,与管理后台相同。
    明细见 oversightRecords。"""

    report = graphene.Field(OversightReportKind, required=True)
    title = graphene.String(required=True)
    unit_title = graphene.String(required=True, description="单位名称")
    checks = graphene.List(graphene.NonNull(OversightCheckInfo), required=True)
    rows = graphene.List(graphene.NonNull(OversightRow), required=True)
    total = graphene.Field(OversightRow, required=True)
    snapshot_note = graphene.String(
        description="市、省的学籍类检查取自每日统计快照时,说明快照时点(与管理后台相同);为空表示全部为实时数据")
    export_url = graphene.String(required=True, description="Excel 下载地址(记入导出记录)")

    def __init__(self, user, unit, report):
        super().__init__()
        self.user, self.unit, self.report_code = user, unit, report

    def _counts(self):
        if not hasattr(self, "_found"):
            self._found = oversight.report_counts(self.user, self.unit, self.report_code)
        return self._found

    def _row(self, row):
        code, school_id = _drill(row)
        return OversightRow(label=row["label"], code=code, school_id=school_id, counts=[
            CheckCount(check=check, count=row[check]) for check in oversight.REPORTS[self.report_code]["checks"]])

    def resolve_report(self, info):
        return self.report_code

    def resolve_title(self, info):
        return oversight.REPORTS[self.report_code]["title"]

    def resolve_unit_title(self, info):
        return unit_label(self.unit)

    def resolve_checks(self, info):
        return [OversightCheckInfo(check=check, label=label)
                for check, label in oversight.REPORTS[self.report_code]["checks"].items()]

    def resolve_rows(self, info):
        return [self._row(row) for row in self._counts()[0]]

    def resolve_total(self, info):
        return self._row(self._counts()[1])

    def resolve_snapshot_note(self, info):
        return self._counts()[2]

    def resolve_export_url(self, info):
        query = {"report": self.report_code, **unit_query(self.unit)}
        return f"{reverse('graphql_oversight_xlsx')}?{urlencode(query)}"


class OversightRecord(graphene.ObjectType):
    """督查项目的一条明细(在籍学生,或案卷)。"""

    school = graphene.String(required=True)
    reference = graphene.String(required=True, description="学籍号,或案卷编号")
    name = graphene.String(required=True, description="学生姓名")
    note = graphene.String(required=True, description="说明")
    date = graphene.Date(description="入学日期,或案卷的生效日期")
    student_id = graphene.ID(description="学生(可用 node 查看)")
    case_id = graphene.ID(description="案卷(案卷类项目)")

    @staticmethod
    def of(record):
        school, reference, name, note, day = record["values"]
        return OversightRecord(
            school=school, reference=reference, name=name, note=note,
            date=datetime.date.fromisoformat(day) if day else None,
            student_id=to_global_id("Student", record["student"]) if record["student"] else None,
            case_id=to_global_id("Case", record["case"]) if record.get("case") else None)


class OversightRecordPage(graphene.ObjectType):
    label = graphene.String(required=True, description="督查项目")
    records = graphene.List(graphene.NonNull(OversightRecord), required=True)
    has_more = graphene.Boolean(required=True)
    export_url = graphene.String(required=True, description="全部明细的 Excel 下载地址(记入导出记录)")


# --- rosters ----------------------------------------------------------------------------------
class ExportFormat(graphene.Enum):
    XLSX = "xlsx"
    PDF = "pdf"

    @property
    def description(self):
        return {"xlsx": "Excel 工作簿", "pdf": "PDF"}[self.value] if self else "导出格式"


class RosterDownload(graphene.ObjectType):
    title = graphene.String(required=True)
    format = graphene.Field(ExportFormat, required=True)
    url = graphene.String(required=True, description="下载地址(会话或令牌;每次下载都重新检查范围并记入导出记录)")


UNIT_ARGS = {
    "code": graphene.String(description="行政区划代码(本单位或下级);默认为本单位"),
    "school_id": graphene.ID(description="或:一所学校"),
}


class ReportQueries(graphene.ObjectType):
    statistics = graphene.Field(Statistics, **UNIT_ARGS,
                                description="学籍统计(与管理后台相同);单位不在本单位范围内时为 null")
    oversight = graphene.Field(
        OversightReport, report=graphene.Argument(OversightReportKind, required=True), **UNIT_ARGS,
        description="学期学籍复核(第三十七条)、学校违规情形督查(第四十条);单位不在本单位范围内时为 null")
    oversight_records = graphene.Field(
        OversightRecordPage, report=graphene.Argument(OversightReportKind, required=True),
        check=graphene.Argument(OversightCheck, required=True), **UNIT_ARGS,
        first=graphene.Int(default_value=100), offset=graphene.Int(default_value=0),
        description=f"一个督查项目的明细(每次最多 {RECORDS_MAX} 条;返回的学生记入查阅记录,第三十八条)")
    roster = graphene.Field(
        RosterDownload, school_id=graphene.ID(), class_id=graphene.ID(),
        unit_code=graphene.String(description="县(区)或市(州)代码:其全部学校"), stage=enums.Stage(),
        grade=graphene.Int(description="年级(入学第几年,1–9)"),
        format=graphene.Argument(ExportFormat, default_value=ExportFormat.XLSX.value),
        description="学生花名册(班级、年级、学校、县或市)的下载地址;所指单位不在本单位范围内时为 null")

    def resolve_statistics(root, info, code=None, school_id=None):
        unit = _unit(info.context.user, code, school_id)
        return Statistics(info.context.user, unit) if unit else None

    def resolve_oversight(root, info, report, code=None, school_id=None):
        unit = _unit(info.context.user, code, school_id)
        return OversightReport(info.context.user, unit, enums.value(report)) if unit else None

    def resolve_oversight_records(root, info, report, check, code=None, school_id=None, first=100, offset=0):
        report, check = enums.value(report), enums.value(check)
        if check not in oversight.REPORTS[report]["checks"]:
            raise ApiError(f"{check} 不是该报表的督查项目", "invalid_argument")
        if first is None or offset is None or not 0 <= first <= RECORDS_MAX or offset < 0:
            raise ApiError(f"first 为 0 至 {RECORDS_MAX},offset 不能为负数", "invalid_page")
        user = info.context.user
        unit = _unit(user, code, school_id)
        if unit is None:
            return None
        found = oversight.records(user, unit, report, check, limit=offset + first + 1)
        page = found[offset:offset + first]
        label = oversight.REPORTS[report]["checks"][check]
        student_reads_record(acting_user=user, students=[r["student"] for r in page if r["student"]],
                             door=m.ReadDoor.GRAPHQL, what=label)  # 第三十八条, as the admin's list
        query = {"report": report, "check": check, **unit_query(unit)}
        return OversightRecordPage(label=label, records=[OversightRecord.of(r) for r in page],
                                   has_more=len(found) > offset + first,
                                   export_url=f"{reverse('graphql_oversight_xlsx')}?{urlencode(query)}")

    def resolve_roster(root, info, school_id=None, class_id=None, unit_code=None, stage=None, grade=None,
                       format="xlsx"):
        from cases.services.exports import roster_title

        try:
            selection = roster_selection(info.context.user, school_id=school_id, class_id=class_id,
                                         unit_code=unit_code, stage=enums.value(stage), grade=grade)
        except BadArgument as error:
            raise ApiError(str(error), "invalid_argument") from None
        if selection is None:
            return None
        export_format = enums.value(format)
        return RosterDownload(title=roster_title(**selection), format=export_format,
                              url=f"{reverse('graphql_roster')}?{roster_query(selection, export_format)}")
