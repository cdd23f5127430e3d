"""辍学 Dropout report and 辍学复学 return after dropout (第三十二条).

The school reports a compulsory-education dropout promptly, in writing, to the township
government (street office), the county bureau and the registry authority; the authority records
it. The registration is kept for the compulsory years (an open status) and its auxiliary number
is cancelled (第九条). A returning dropout is never refused in compulsory education: back in
the grade left, with a new auxiliary number from the authority (第三十二条).
"""


from cases.calendar import chinese_date
from cases.models import COMPULSORY_STAGES, RegistrationStatus

from . import register
from . import fields as f
from .base import (AUTHORITY_APPROVAL, REASON_TEXT, CaseType, detail_date, effective_on, reason_field, rule,
                   school_class, without_class)
from .fields import Field
from .effects import change_status, open_registration, record
from .suspension import Return

ARTICLE = "第三十二条"


def township_name(school):
    return school.township.name if school.township_id else "学校所在乡镇人民政府(街道办事处)"


@register
class Dropout(CaseType):
    code = "dropout"
    name = "辍学报告"
    articles = ("第三十二条", "第九条")
    steps = (AUTHORITY_APPROVAL,)  # the authority records it
    reasons = {"absent": "无故连续缺课", "work": "外出务工", "other": "其他"}
    evidence = {}  # the report itself is the document (DOMAIN: no evidence required)
    fields = (
        reason_field(reasons, ARTICLE, label="辍学原因"),
        REASON_TEXT,
        effective_on("报告日期", article=ARTICLE),
        Field("absent_since", f.DATE, "开始不到校日期", "", ARTICLE, required=True),
        Field("township_reported_on", f.DATE, "书面报告乡镇人民政府(街道办事处)的日期", "学校应及时书面报告(第三十二条)",
              ARTICLE, required=True),
    )

    def validate(self, case):
        errors = super().validate(case)
        reported = detail_date(case, "township_reported_on")
        absent = detail_date(case, "absent_since")
        if reported is None:
            errors.append(rule("dropout_township_report", "请填写书面报告乡镇人民政府(街道办事处)的日期",
                               ARTICLE, field="township_reported_on"))
        if absent is None:
            errors.append(rule("dropout_absent_since", "请填写学生开始不到校的日期", ARTICLE, field="absent_since"))
        if reported and absent and reported < absent:
            errors.append(rule("dropout_dates", "报告乡镇的日期不能早于开始不到校的日期", ARTICLE, field="township_reported_on"))
        return errors

    def check_eligibility(self, case):
        errors = []
        if case.stage not in COMPULSORY_STAGES:
            errors.append(rule("dropout_not_compulsory", "辍学报告仅适用于义务教育阶段学生", ARTICLE))
        if self.registration_status(case) != RegistrationStatus.ACTIVE:
            errors.append(rule("dropout_not_active", "学生不在籍在读,不能报告辍学", ARTICLE))
        return errors

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.DROPPED_OUT, acting_user=acting_user, cancel_number=True)
        reported = detail_date(case, "township_reported_on")
        absent = detail_date(case, "absent_since")
        body = (f"{self.reasons.get(case.reason, '')}。自{chinese_date(absent)}起不到校;"
                f"学校已于{chinese_date(reported)}书面报告{township_name(case.school)}、县级教育行政部门和学籍主管部门。"
                "在义务教育年限内保留学籍,学籍辅号注销。")
        student = case.student
        if student.is_migrant:
            county = student.household_county.name if student.household_county_id else "户籍所在地"
            body += f"随迁子女:学期末由学籍主管部门将学籍档案转交{county}县级教育行政部门。"
        record(case, acting_user=acting_user, title=f"辍学:{chinese_date(reported)}报告{township_name(case.school)}",
               body=body)


@register
class DropoutReturn(Return):
    """Never refused in compulsory education: no 一般不予 rule, only the facts (the student
    is a dropout, a class of the grade left exists)."""

    code = "dropout_return"
    name = "辍学复学"
    articles = ("第三十二条", "第三十三条")
    steps = (AUTHORITY_APPROVAL,)
    reasons = {"family": "家长送学复学", "mobilized": "经乡镇政府、村委会动员返校"}
    evidence = {}
    fields = (
        reason_field(reasons, ARTICLE, label="复学事由"),
        effective_on("复学日期", article=ARTICLE),
        school_class("复学班级", "回到原年级的班级;不选则由系统按原年级编入(第三十二条);尚未编班的学生必选", ARTICLE,
                     required=without_class),
    )
    from_status = RegistrationStatus.DROPPED_OUT
