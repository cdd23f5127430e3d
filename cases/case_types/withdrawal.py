"""退学 Withdrawal and 除名 expulsion of general-high-school students (第三十三条).

Grounds (一)–(四) lead to withdrawal, ground (五) (a criminal penalty while at school) to
expulsion. Both close the registration for good: "凡退学、除名的学生,不得复学" (the resumption
rule refuses them), and the auxiliary number is cancelled (第九条). Compulsory-education
students are never withdrawn: their schools take back dropouts and withdrawers
unconditionally (第三十二条).
"""


from cases.models import COMPULSORY_STAGES, OPEN_STATUSES, RegistrationStatus, Stage

from . import register
from .base import (
    AUTHORITY_APPROVAL,
    SCHOOL_REVIEW,
    REASON_TEXT,
    CaseType,
    EvidenceKind,
    detail_date,
    effective_on,
    reason_field,
    rule,
)
from . import fields as f
from .fields import Field
from .effects import change_status, open_registration, record
from .suspension import SUSPENSION_CERTIFICATE

ARTICLE = "第三十三条"
ATTENDANCE = EvidenceKind("attendance_records", "考勤及报到记录")
CONTACT = EvidenceKind("contact_records", "学校与家长联系、帮助教育记录")
APPLICATION = EvidenceKind("withdrawal_application", "本人及家长退学申请")
JUDGEMENT = EvidenceKind("criminal_judgement", "刑事判决书")
NO_RETURN = "凡退学、除名的学生,不得复学(第三十三条)。"


def _number(case, key):
    value = (case.details or {}).get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def high_school_rules(case_type, case):
    """Shared by withdrawal and expulsion: general high school only, registration open."""
    errors = []
    if case.stage in COMPULSORY_STAGES:
        errors.append(rule(f"{case_type.code}_compulsory", f"义务教育阶段学生不得{case_type.name}", ARTICLE))
    elif case.stage != Stage.SENIOR:
        errors.append(rule(f"{case_type.code}_not_senior", f"{case_type.name}仅适用于普通高中学生", ARTICLE))
    if case_type.registration_status(case) not in OPEN_STATUSES:
        errors.append(rule(f"{case_type.code}_not_open", f"学籍已关闭,不能{case_type.name}", ARTICLE))
    return errors


@register
class Withdrawal(CaseType):
    code = "withdrawal"
    name = "退学"
    articles = ("第三十三条", "第九条")
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    reasons = {
        "no_show": "(一)新学期开学15天后未履行请假手续、未经学校同意不到校报到",
        "truancy": "(二)一学期旷课累计达学期总学时三分之一以上,帮助教育无效",
        "suspension_overdue": "(三)休学期满仍未复学或逾期一个月以上未办理继续休学",
        "application": "(四)本人及家长申请退学",
    }
    evidence = {
        "no_show": (ATTENDANCE,),
        "truancy": (ATTENDANCE, CONTACT),
        "suspension_overdue": (SUSPENSION_CERTIFICATE, CONTACT),
        "application": (APPLICATION,),
    }
    fields = (
        reason_field(reasons, ARTICLE, label="退学情形"),
        REASON_TEXT,
        effective_on("退学日期", article=ARTICLE),
        Field("term_started_on", f.DATE, "新学期开学日期", "开学15天后仍未报到的方可据此退学", ARTICLE,
              required=("no_show",)),
        Field("absent_hours", f.INT, "本学期旷课学时", "累计达学期总学时三分之一以上", ARTICLE, required=("truancy",)),
        Field("term_hours", f.INT, "学期总学时", "", ARTICLE, required=("truancy",)),
    )

    def validate(self, case):
        errors = super().validate(case)
        if case.reason == "no_show" and detail_date(case, "term_started_on") is None:
            errors.append(rule("withdrawal_term_start", "请填写新学期开学日期", ARTICLE, field="term_started_on"))
        if case.reason == "truancy":
            absent, total = _number(case, "absent_hours"), _number(case, "term_hours")
            if absent is None or total is None or absent < 0 or total <= 0:
                errors.append(rule("withdrawal_hours", "请填写本学期旷课学时和学期总学时", ARTICLE,
                                   field="absent_hours" if absent is None or absent < 0 else "term_hours"))
        return errors

    def check_eligibility(self, case):
        errors = high_school_rules(self, case)
        if case.reason == "no_show":
            started = detail_date(case, "term_started_on")
            # "开学15天后": more than 15 days have passed since the term started.
            if started and case.effective_on and (case.effective_on - started).days <= 15:
                errors.append(rule("withdrawal_no_show_within_15_days", "新学期开学15天后仍未报到的,方可据此退学",
                                   ARTICLE))
        elif case.reason == "truancy":
            absent, total = _number(case, "absent_hours"), _number(case, "term_hours")
            if absent is not None and total and absent * 3 < total:
                errors.append(rule("withdrawal_truancy_below_a_third", "旷课累计未达学期总学时三分之一", ARTICLE))
        elif case.reason == "suspension_overdue":
            registration = case.registration
            if registration.status != RegistrationStatus.SUSPENDED or not registration.suspended_until \
                    or not case.effective_on or registration.suspended_until >= case.effective_on:
                errors.append(rule("withdrawal_suspension_not_over", "学生不在休学期满未复学的状态,不能据此退学",
                                   ARTICLE))
        return errors

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.WITHDRAWN, acting_user=acting_user, cancel_number=True)
        record(case, acting_user=acting_user, title=f"退学:第三十三条{self.reasons[case.reason]}",
               body=f"{case.reason_text + '。' if case.reason_text else ''}学籍辅号注销。{NO_RETURN}")


@register
class Expulsion(CaseType):
    code = "expulsion"
    name = "除名"
    articles = ("第三十三条", "第九条")
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    reasons = {"criminal_penalty": "(五)在校期间违反国家法律,受到刑事处罚"}
    evidence = {"*": (JUDGEMENT,)}
    fields = (reason_field(reasons, ARTICLE, label="除名情形"), REASON_TEXT, effective_on("除名日期", article=ARTICLE))

    def check_eligibility(self, case):
        return high_school_rules(self, case)

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.EXPELLED, acting_user=acting_user, cancel_number=True)
        record(case, acting_user=acting_user, title=f"除名:第三十三条{self.reasons[case.reason]}",
               body=f"{case.reason_text + '。' if case.reason_text else ''}凭刑事判决书除名,学籍辅号注销。{NO_RETURN}")
