"""休学 Suspension, 延长休学 extension and 复学 resumption (第二十七~三十一条)."""

import datetime

from django.utils import timezone

from cases.calendar import chinese_date
from cases.models import (
    Case,
    CaseState,
    RegistrationStatus,
    SchoolClass,
    school_year_of,
)
from cases.services.registrations import (
    registration_assign_class,
    registration_set_suspension_end,
)

from . import register
from . import fields as f
from .base import (
    AUTHORITY_APPROVAL,
    REASON_TEXT,
    SCHOOL_REVIEW,
    CaseType,
    EvidenceKind,
    effective_on,
    reason_field,
    rule,
    school_class,
    without_class,
)
from .fields import Field
from .effects import change_status, open_registration, record, reissue_number

DIAGNOSIS = EvidenceKind("hospital_diagnosis", "县级及以上医院诊断证明")
RECORDS = EvidenceKind("medical_records", "病历")
BILLS = EvidenceKind("medical_bills", "医药费票据")
OTHER_PROOF = EvidenceKind("suspension_proof", "休学事由证明材料")
APPLICATION = EvidenceKind("parent_application", "家长书面申请")
RECOVERY = EvidenceKind("recovery_certificate", "县级及以上医院病愈证明")
SUSPENSION_CERTIFICATE = EvidenceKind("suspension_certificate", "休学证明")
ILLNESS = (DIAGNOSIS, RECORDS, BILLS)
SUSPENSION_TYPES = ("suspension", "suspension_extension")


def hospital(*reasons):
    return Field("hospital_county_level", f.BOOL, "诊断证明由县级及以上医院出具",
                 "因病休学须持县级及以上医院的诊断证明(第二十八条)", "第二十八条", required=reasons)


def approved_suspensions(case):
    """Earlier approved suspensions and extensions of the same student (休学一般不得超过两次)."""
    return Case.objects.filter(student_id=case.student_id, case_type__in=SUSPENSION_TYPES,
                               state=CaseState.APPROVED).exclude(pk=case.pk).count()


def _within_a_year(start, end):
    try:
        limit = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        limit = start + datetime.timedelta(days=365)
    return end <= limit


def _hospital_rule(case, errors):
    if case.reason in ("illness", "sick_leave") and not (case.details or {}).get("hospital_county_level"):
        errors.append(rule("suspension_hospital_level", "因病休学须持县级及以上医院的诊断证明", "第二十八条"))


@register
class Suspension(CaseType):
    code = "suspension"
    name = "休学"
    articles = ("第二十七条", "第二十八条", "第二十九条")
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    reasons = {"illness": "因病需停课治疗休养", "sick_leave": "连续病假超过学期总学时三分之一", "other": "出国等其他原因"}
    evidence = {"*": (APPLICATION,), "illness": ILLNESS, "sick_leave": ILLNESS, "other": (OTHER_PROOF,)}
    fields = (
        reason_field(reasons, "第二十七条", label="休学原因"),
        REASON_TEXT,
        effective_on("休学开始日期"),
        Field("end_on", f.DATE, "休学截止日期", "单次休学期限不超过一年(第二十九条)", "第二十九条", required=True,
              column=True),
        hospital("illness", "sick_leave"),
    )

    def validate(self, case):
        errors = super().validate(case)
        if case.end_on is None or (case.effective_on and case.end_on <= case.effective_on):
            errors.append(rule("suspension_end", "请填写晚于开始日期的休学截止日期", "第二十九条", field="end_on"))
        return errors

    def check_eligibility(self, case):
        errors = []
        if self.registration_status(case) != RegistrationStatus.ACTIVE:
            errors.append(rule("suspension_not_active", "学生不在籍在读,不能休学", "第二十七条"))
        if case.effective_on and case.end_on and not _within_a_year(case.effective_on, case.end_on):
            errors.append(rule("suspension_longer_than_a_year", "单次休学期限不超过一年", "第二十九条"))
        if approved_suspensions(case) >= 2:
            errors.append(rule("suspension_more_than_twice", "休学一般不得超过两次", "第二十九条", generally=True))
        _hospital_rule(case, errors)
        return errors

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.SUSPENDED, acting_user=acting_user, cancel_number=True)
        registration_set_suspension_end(acting_user=acting_user, registration=registration, until=case.end_on,
                                        reason=case.number)
        record(case, acting_user=acting_user, title=f"休学:{chinese_date(case.effective_on)}至{chinese_date(case.end_on)}",
               body=f"{self.reasons.get(case.reason, '')}。保留学籍,学籍辅号注销。")


@register
class SuspensionExtension(CaseType):
    code = "suspension_extension"
    name = "延长休学"
    articles = ("第二十九条",)
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    reasons = {"illness": "休学期满仍不能复学(因病)"}
    evidence = {"*": ILLNESS}
    fields = (
        reason_field(reasons, "第二十九条", label="延长原因"),
        REASON_TEXT,
        effective_on("申请日期"),
        Field("end_on", f.DATE, "新的休学截止日期", "应晚于原截止日期,延长不超过一年(第二十九条)", "第二十九条",
              required=True, column=True),
        hospital("illness"),
    )

    def validate(self, case):
        errors = super().validate(case)
        if case.end_on is None:
            errors.append(rule("suspension_end", "请填写新的休学截止日期", "第二十九条", field="end_on"))
        return errors

    def check_eligibility(self, case):
        errors = []
        registration = case.registration
        if registration.status != RegistrationStatus.SUSPENDED:
            errors.append(rule("extension_not_suspended", "学生不在休学期间,不能延长休学", "第二十九条"))
        elif case.end_on and registration.suspended_until and case.end_on <= registration.suspended_until:
            errors.append(rule("extension_not_later", "新的休学截止日期应晚于原截止日期", "第二十九条"))
        elif case.end_on and registration.suspended_until and not _within_a_year(registration.suspended_until,
                                                                                 case.end_on):
            errors.append(rule("suspension_longer_than_a_year", "单次休学期限不超过一年", "第二十九条"))
        if approved_suspensions(case) >= 2:
            errors.append(rule("suspension_more_than_twice", "休学一般不得超过两次", "第二十九条", generally=True))
        _hospital_rule(case, errors)
        return errors

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        previous = registration.suspended_until
        registration_set_suspension_end(acting_user=acting_user, registration=registration, until=case.end_on,
                                        reason=case.number)
        record(case, acting_user=acting_user, title=f"延长休学至{chinese_date(case.end_on)}",
               body=f"原截止日期:{previous or '未记录'}")


def grade_at(registration, status):
    """The grade the student was in when the registration last entered ``status``."""
    event = registration.events.filter(status_to=status).order_by("-occurred_on", "-id").first()
    if event is None or registration.school_class_id is None:
        return None
    return registration.school_class.grade(event.occurred_on)


def class_for_grade(case, grade):
    """A class of the school and stage that is in ``grade`` on the case's date: the student
    returns to the grade they left (第三十条, 第三十二条)."""
    chosen = (case.details or {}).get("school_class")
    classes = SchoolClass.objects.filter(school_id=case.registration.school_id, stage=case.registration.stage)
    if chosen:
        classes = classes.filter(pk=chosen)
    if grade is not None:
        classes = classes.filter(cohort=school_year_of(case.effective_on or timezone.localdate()) - grade + 1)
    return classes.order_by("class_name").first()


class Return(CaseType):
    """Back to the grade left, with a new auxiliary number: shared by resumption after
    suspension and return after dropout. A student whose registration has no class chooses
    one here: nobody comes back without class and grade."""

    from_status = None

    def check_eligibility(self, case):
        errors = []
        status = self.registration_status(case)
        if status in (RegistrationStatus.WITHDRAWN, RegistrationStatus.EXPELLED):
            errors.append(rule("resumption_after_withdrawal", "凡退学、除名的学生,不得复学", "第三十三条"))
        elif status != self.from_status:
            errors.append(rule(f"{self.code}_wrong_status", f"学生当前状态不是{RegistrationStatus(self.from_status).label}",
                               self.articles[0]))
        elif without_class(case) and not (case.details or {}).get("school_class"):
            errors.append(rule("return_class_required", "该学生尚未编入班级,请选择复学班级", "第十七条",
                               field="school_class"))
        elif class_for_grade(case, grade_at(case.registration, self.from_status)) is None:
            message = ("所选班级不是本校该学段原年级的班级,请重新选择" if (case.details or {}).get("school_class")
                       else "学校尚无原年级的班级,请先建立班级或指定班级")
            errors.append(rule("return_no_class", message, self.articles[0], field="school_class"))
        return errors

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        grade = grade_at(registration, self.from_status)
        change_status(case, registration, RegistrationStatus.ACTIVE, acting_user=acting_user)
        target = class_for_grade(case, grade)  # never None: check_eligibility ran at this approval
        if target.pk != registration.school_class_id:
            registration_assign_class(acting_user=acting_user, registration=registration, school_class=target,
                                      reason=f"{self.name}插班({case.number})")
        if registration.suspended_until:
            registration_set_suspension_end(acting_user=acting_user, registration=registration, until=None,
                                            reason=case.number)
        reissue_number(registration, acting_user=acting_user)
        record(case, acting_user=acting_user, title=f"{self.name}:回到原{grade or ''}年级就读",
               body="学籍主管部门重新编排学籍辅号")


@register
class Resumption(Return):
    code = "resumption"
    name = "复学"
    articles = ("第三十条", "第三十三条")
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    reasons = {"illness": "因病休学期满", "other": "其他原因休学期满"}
    evidence = {"*": (SUSPENSION_CERTIFICATE,), "illness": (RECOVERY,)}
    fields = (
        reason_field(reasons, "第三十条", label="复学事由"),
        effective_on("复学日期"),
        school_class("复学班级", "回到原年级的班级;不选则由系统按原年级编入(第三十条);尚未编班的学生必选", "第三十条",
                     required=without_class),
    )
    from_status = RegistrationStatus.SUSPENDED
