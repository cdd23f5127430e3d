"""毕业/结业 Graduation and completion (第三十四、三十五条): the school's roll, 结业换发毕业证书
the exchange of a completion certificate for a diploma, and 普通高中毕业证明书 the graduation
attestation.

The school compiles the roll of graduates, the registry authority reviews it and the
diplomas or completion certificates are issued (第三十四条). A roll dated before the last term
of the final grade (修业期满) is refused unless the authority overrides it with a reason. A general-high-school student who
completes without graduating keeps the registration for one year, may sit the failed
proficiency exams, and with results that meet the standard exchanges the completion
certificate for a diploma; after that year only a qualification certificate (第三十五条). A lost
diploma is never reissued: the graduate applies and the province issues an attestation
(第三条(一)3, 第三十五条).
"""

import datetime

from cases.calendar import chinese_date
from cases.models import Case, CaseState, Registration, RegistrationStatus, Stage
from cases.services.auxiliary_numbers import auxiliary_number_cancel
from cases.services.registrations import registration_record_diploma_exchange

from . import register
from . import fields as f
from .base import (
    AUTHORITY_APPROVAL,
    REASON_TEXT,
    SCHOOL_REVIEW,
    STAGE,
    CaseType,
    EvidenceKind,
    Step,
    effective_on,
    rule,
)
from .fields import Field
from .effects import change_status, record

ROLL = EvidenceKind("graduate_roll", "毕业生名册")
EXAM_RESULTS = EvidenceKind("proficiency_exam_results", "不合格科目学业水平考试成绩证明")
COMPLETION_CERTIFICATE = EvidenceKind("completion_certificate", "《结业证书》")
ATTESTATION_APPLICATION = EvidenceKind("attestation_application", "本人申请(毕业证书遗失说明)")
# The province approves an attestation whatever the registration's own authority (第三条(一)3).
PROVINCE_APPROVAL = Step("province", label="省级学籍管理部门审批")
ROLL_KEYS = {"graduates": RegistrationStatus.GRADUATED, "completers": RegistrationStatus.COMPLETED}
EXCHANGE = "completion_exchange"


# The second term of a school year starts in February (春季学期); 修业期满 is reached in the
# last term of the final grade.
LAST_TERM_MONTH = 2


def last_term_starts(school_class):
    """First day of the last term of the class's final grade (第三十四条 修业期满)."""
    return datetime.date(school_class.cohort + school_class.years, LAST_TERM_MONTH, 1)


def one_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + datetime.timedelta(days=365)


def listed(case):
    """{registration id: target status} of the roll, graduates first; ids that are not
    integers are left out here and reported by ``validate``."""
    roll = {}
    for key, status in ROLL_KEYS.items():
        for pk in (case.details or {}).get(key) or ():
            if isinstance(pk, int) and not isinstance(pk, bool):
                roll.setdefault(pk, status)
    return roll


def exchange_case(registration, *, exclude=None):
    """The approved 结业换发毕业证书 case of a registration, if any."""
    cases = Case.objects.filter(case_type=EXCHANGE, state=CaseState.APPROVED, registration=registration)
    if exclude is not None and exclude.pk:
        cases = cases.exclude(pk=exclude.pk)
    return cases.order_by("decided_at", "id").first()


def _who(registration):
    return f"{registration.student.name}(学籍号 {registration.student.registry_number})"


@register
class Graduation(CaseType):
    """``details``: {"graduates": [registration ids], "completers": [registration ids]};
    ``effective_on`` is the graduation date; ``stage`` the stage of the roll."""

    code = "graduation"
    name = "毕业/结业"
    articles = ("第三十四条", "第三十五条")
    steps = (AUTHORITY_APPROVAL,)
    evidence = {"*": (ROLL,)}
    subject = None
    fields = (
        STAGE,
        effective_on("毕业日期", article="第三十四条"),
        Field("graduates", f.REGISTRATIONS, "毕业学生", "本校本学段毕业年级在籍学生(第三十四条)", "第三十四条"),
        Field("completers", f.REGISTRATIONS, "结业学生", "只有普通高中设结业(第三十五条)", "第三十五条"),
    )

    def student_required(self, case):
        return False  # the school's roll

    def validate(self, case):
        errors = super().validate(case)
        details = case.details or {}
        lists = [details.get(key) or [] for key in ROLL_KEYS]
        if not all(isinstance(ids, list) and all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids)
                   for ids in lists) or not any(lists):
            errors.append(rule("graduation_roll_empty", "请选择毕业或结业的学生", "第三十四条", field="graduates"))
        elif set(lists[0]) & set(lists[1]):
            errors.append(rule("graduation_listed_twice", "同一学生不能既毕业又结业", "第三十四条", field="completers"))
        return errors

    def check_eligibility(self, case):
        errors = []
        roll = listed(case)
        found = Registration.objects.filter(pk__in=roll).select_related("student", "school_class").in_bulk()
        for pk in roll:
            registration = found.get(pk)
            if registration is None or registration.school_id != case.school_id:
                errors.append(rule("graduation_not_at_school", f"学籍 {pk} 不属于本校", "第三十四条", field="details"))
                continue
            if registration.stage != case.stage:
                errors.append(rule("graduation_wrong_stage", f"{_who(registration)}不是本名册学段的学生", "第三十四条",
                                   field="details"))
            if registration.status != RegistrationStatus.ACTIVE:
                errors.append(rule("graduation_not_active", f"{_who(registration)}学籍状态为"
                                   f"{registration.get_status_display()},不在籍在读", "第三十四条", field="details"))
            elif registration.school_class is None:
                errors.append(rule("graduation_not_final_grade", f"{_who(registration)}未编入班级,无法确认已修完规定年限",
                                   "第三十四条", field="details"))
            elif case.effective_on and case.effective_on < last_term_starts(registration.school_class):
                school_class = registration.school_class
                errors.append(rule("graduation_course_not_finished",
                                   f"{_who(registration)}修业未满:{school_class}({school_class.grade_label(case.effective_on)})"
                                   f"的毕业年级最后一学期自{chinese_date(last_term_starts(school_class))}起,"
                                   f"毕业日期{chinese_date(case.effective_on)}早于此", "第三十四条",
                                   generally=True, field="effective_on"))
        if (case.details or {}).get("completers") and case.stage != Stage.SENIOR:
            errors.append(rule("completion_senior_only", "只有普通高中设结业", "第三十五条", field="details"))
        return errors

    def apply(self, case, *, acting_user):
        for pk, status in listed(case).items():
            registration = Registration.objects.select_for_update().select_related("student").get(pk=pk)
            graduated = status == RegistrationStatus.GRADUATED
            # 第九条: the auxiliary number is used until graduation from the stage, then closed.
            auxiliary_number_cancel(acting_user=acting_user, registration=registration,
                                    reason=f"{'毕业' if graduated else '结业'}:学籍辅号使用至本学段结束({case.number})")
            change_status(case, registration, status, acting_user=acting_user)
            if graduated:
                title = f"毕业:{case.school.name}{registration.get_stage_display()}"
                body = "修完规定内容,达到毕业要求,准予毕业,发放毕业证书或完成证书(第三十四条)。"
            else:
                title = f"结业:{case.school.name}{registration.get_stage_display()}"
                body = ("准予结业,发放《结业证书》。一年内可报名参加不合格科目的学业水平考试,"
                        "达到毕业标准后凭《结业证书》申请换发《毕业证书》(第三十五条)。")
            record(case, acting_user=acting_user, student=registration.student, title=title, body=body)


@register
class CompletionExchange(CaseType):
    """``effective_on`` is the day of the application; the make-up results are the evidence."""

    code = EXCHANGE
    name = "结业换发毕业证书"
    articles = ("第三十五条",)
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    evidence = {"*": (EXAM_RESULTS, COMPLETION_CERTIFICATE)}
    fields = (effective_on("申请日期", article="第三十五条"),)

    def check_eligibility(self, case):
        errors = []
        registration = case.registration
        if registration.stage != Stage.SENIOR:
            errors.append(rule("completion_exchange_senior_only", "只有普通高中结业学生可换发毕业证书", "第三十五条"))
        if exchange_case(registration, exclude=case) is not None:
            errors.append(rule("completion_exchange_done", "该结业学生已换发毕业证书", "第三十五条"))
        elif registration.status != RegistrationStatus.COMPLETED:
            errors.append(rule("completion_exchange_not_completed", f"学籍状态为{registration.get_status_display()},"
                               "不是结业", "第三十五条"))
        elif case.effective_on and registration.ended_on and case.effective_on > one_year_after(registration.ended_on):
            errors.append(rule("completion_exchange_after_one_year",
                               f"结业已满一年({chinese_date(registration.ended_on)}结业),学校不再保留学籍,"
                               "只能凭《结业证书》参加学业水平考试取得合格证书", "第三十五条"))
        return errors

    def apply(self, case, *, acting_user):
        registration = registration_record_diploma_exchange(
            acting_user=acting_user, registration=case.registration, occurred_on=case.effective_on,
            reason=f"结业换发毕业证书({case.number})")
        record(case, acting_user=acting_user, title="结业换发毕业证书",
               body=f"{chinese_date(registration.ended_on)}结业,一年内参加不合格科目学业水平考试达到毕业标准,"
                    f"凭《结业证书》换发《毕业证书》({chinese_date(case.effective_on)}申请,第三十五条)。")


@register
class GraduationAttestation(CaseType):
    code = "graduation_attestation"
    changes_status = False  # the registration's status is untouched
    name = "普通高中毕业证明书"
    articles = ("第三十五条", "第三条")
    steps = (PROVINCE_APPROVAL,)
    evidence = {"*": (ATTESTATION_APPLICATION,)}
    fields = (effective_on("申请日期", article="第三十五条"), REASON_TEXT)

    def check_eligibility(self, case):
        errors = []
        registration = case.registration
        if registration.stage != Stage.SENIOR:
            errors.append(rule("attestation_senior_only", "毕业证明书只为普通高中毕业生办理", "第三条"))
        if registration.status != RegistrationStatus.GRADUATED:
            errors.append(rule("attestation_not_graduated", f"学籍状态为{registration.get_status_display()},"
                               "未取得毕业证书,不能办理毕业证明书", "第三十五条"))
        return errors

    def apply(self, case, *, acting_user):
        record(case, acting_user=acting_user, title="办理《普通高中毕业证明书》",
               body="普通高中毕业证书遗失后不再补发;经本人申请,由省级学籍管理部门审批办理毕业证明书(第三十五条)。")
