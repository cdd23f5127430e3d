"""出境就读 Study abroad and 回国(境)接续学籍 return (第十九条).

The student goes through the school with valid documents; back in the country and still in
basic education, the student continues the original archive. The registration is kept (abroad
is an open status) and so is its auxiliary number: 第九条 cancels the number on transfer,
suspension, dropout, withdrawal and cancellation of the registration, and study abroad is none of
these; the number is "一般使用至本学段毕业", and a school-only chain has no authority step to
cancel or re-issue one (第九、八条: numbers are the authority's). A student who leaves for a
term or two while meaning to come back to the class may instead suspend (第二十七条(三)), which
does cancel the number. On return a new number is issued only if the registration has none live.
"""

from cases.calendar import chinese_date
from cases.models import RegistrationStatus, SchoolClass
from cases.services.registrations import registration_assign_class

from . import register
from . import fields as f
from .base import SCHOOL_REVIEW, CaseType, EvidenceKind, effective_on, rule, school_class, without_class
from .fields import Field
from .effects import change_status, open_registration, record, reissue_number

ARTICLE = "第十九条"
DOCUMENTS = EvidenceKind("valid_documents", "有效证件(护照、港澳台通行证及签注、境外学校录取或在读证明等)")
RETURN_DOCUMENTS = EvidenceKind("return_documents", "有效证件(护照或通行证及出入境记录)")


def destination(case):
    return ((case.details or {}).get("destination") or "").strip()


@register
class StudyAbroad(CaseType):
    code = "study_abroad"
    name = "出境就读"
    articles = ("第十九条",)
    steps = (SCHOOL_REVIEW,)
    evidence = {"*": (DOCUMENTS,)}
    fields = (
        effective_on("出境日期", article=ARTICLE),
        Field("destination", f.TEXT, "境外就读国家(地区)和学校", "如:新加坡 莱佛士书院", ARTICLE, required=True),
    )

    def validate(self, case):
        errors = super().validate(case)
        if not destination(case):
            errors.append(rule("abroad_destination", "请填写境外就读的国家(地区)和学校", ARTICLE, field="destination"))
        return errors

    def check_eligibility(self, case):
        if self.registration_status(case) != RegistrationStatus.ACTIVE:
            return [rule("abroad_not_active", "学生不在籍在读,不能办理出境就读", ARTICLE)]
        return []

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.ABROAD, acting_user=acting_user)
        record(case, acting_user=acting_user, title=f"出境就读:{destination(case)}",
               body="凭有效证件办理出境就读手续;保留学籍及学籍辅号,回到境内后接续原学籍档案。")


@register
class AbroadReturn(CaseType):
    code = "abroad_return"
    name = "回国(境)接续学籍"
    articles = ("第十九条",)
    steps = (SCHOOL_REVIEW,)
    evidence = {"*": (RETURN_DOCUMENTS,)}
    fields = (
        effective_on("回国(境)接续日期", article=ARTICLE),
        school_class("编入班级", "不选则回到原班级;原来未编班的学生必选", ARTICLE, required=without_class),
    )

    @staticmethod
    def chosen_class(case):
        """The class the student joins (``details["school_class"]``), else the one kept."""
        class_id = (case.details or {}).get("school_class")
        if not class_id or not case.registration_id:
            return None
        registration = case.registration
        return SchoolClass.objects.filter(pk=class_id, school_id=registration.school_id,
                                          stage=registration.stage).first()

    def validate(self, case):
        errors = super().validate(case)
        if (case.details or {}).get("school_class") and self.chosen_class(case) is None:
            errors.append(rule("abroad_return_class", "所选班级不属于本校该学段", ARTICLE, field="school_class"))
        return errors

    def check_eligibility(self, case):
        if self.registration_status(case) != RegistrationStatus.ABROAD:
            return [rule("abroad_return_not_abroad", "学生不在出境就读状态,不能办理回国(境)接续学籍", ARTICLE)]
        if without_class(case) and self.chosen_class(case) is None:
            # Back in school with a class, and so a grade.
            return [rule("abroad_return_class_required", "该学生尚未编入班级,请选择本校该学段的班级", ARTICLE,
                         field="school_class")]
        return []

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        change_status(case, registration, RegistrationStatus.ACTIVE, acting_user=acting_user)
        target = self.chosen_class(case)
        if target is not None and target.pk != registration.school_class_id:
            registration_assign_class(acting_user=acting_user, registration=registration, school_class=target,
                                      reason=f"{self.name}插班({case.number})")
        body = "回到境内继续接受基础教育,接续原学籍档案"
        if not registration.auxiliary_numbers.filter(cancelled_at__isnull=True).exists():
            issued = reissue_number(registration, acting_user=acting_user)
            body += f";学籍主管部门编排学籍辅号 {issued.number}"
        record(case, acting_user=acting_user, title=f"回国(境)接续学籍:{chinese_date(case.effective_on)}", body=body + "。")
