"""死亡注销 Cancellation of a deceased student's registration (第二十条).

The school reports with the relevant proof, within 10 working days of the death, through the
registry system; the authority cancels the registration. A late report is still accepted (the
registration must be cancelled all the same) but the lateness is recorded on the case and in
the archive, so it shows to the school and the authority above it (第四十条(三)).
"""


from django.utils import timezone

from cases.calendar import add_working_days, chinese_date, working_days_between
from cases.models import OPEN_STATUSES, RegistrationStatus

from . import register
from . import fields as f
from .base import AUTHORITY_APPROVAL, CaseType, EvidenceKind, detail_date, effective_on, rule
from .fields import Field
from .effects import change_status, open_registration, record

ARTICLE = "第二十条"
REPORT_WORKING_DAYS = 10
DEATH_PROOF = EvidenceKind("death_proof", "死亡证明(医学死亡证明或户籍注销证明)")


def died_on(case):
    return detail_date(case, "died_on")


def reported_on(case):
    """The day the school reported: the day the case was opened."""
    return timezone.localdate(case.created_at) if case.created_at else timezone.localdate()


def report_due_on(case):
    """The last day of the 10 working days after the death (statutory holidays out, make-up
    working days in)."""
    day = died_on(case)
    return add_working_days(day, REPORT_WORKING_DAYS) if day else None


def report_working_days(case):
    day = died_on(case)
    return working_days_between(day, reported_on(case)) if day else None


def is_late(case):
    due = report_due_on(case)
    return bool(due and reported_on(case) > due)


@register
class Death(CaseType):
    code = "death"
    name = "死亡注销"
    articles = ("第二十条", "第九条")
    steps = (AUTHORITY_APPROVAL,)
    evidence = {"*": (DEATH_PROOF,)}
    fields = (
        effective_on("报告日期", article=ARTICLE),
        Field("died_on", f.DATE, "死亡日期", "学校应于学生死亡后10个工作日内报告(第二十条)", ARTICLE, required=True),
    )

    def validate(self, case):
        errors = super().validate(case)
        day = died_on(case)
        if day is None:
            errors.append(rule("death_date", "请填写死亡日期", ARTICLE, field="died_on"))
        elif day > timezone.localdate():
            errors.append(rule("death_date_future", "死亡日期不能晚于今天", ARTICLE, field="died_on"))
        return errors

    def check_eligibility(self, case):
        # Lateness is deliberately not a rule: a late report must still cancel the registration.
        if self.registration_status(case) not in OPEN_STATUSES:
            return [rule("death_registration_closed", "学籍已关闭,无需注销", ARTICLE)]
        return []

    def apply(self, case, *, acting_user):
        registration = open_registration(case)
        day = died_on(case)
        # The registration ends on the day of death, not on the day the case is decided.
        change_status(case, registration, RegistrationStatus.DECEASED, acting_user=acting_user, cancel_number=True,
                      occurred_on=day)
        late, days, due = is_late(case), report_working_days(case), report_due_on(case)
        if late:
            case.details = {**case.details, "reported_late": True}  # saved by case_finalize
        timing = (f"学校于{chinese_date(reported_on(case))}报告,为死亡后第{days}个工作日"
                  f"(时限{REPORT_WORKING_DAYS}个工作日,截至{chinese_date(due)})")
        record(case, acting_user=acting_user, title=f"死亡注销:{chinese_date(day)}死亡",
               body=f"{timing}{',逾期报告' if late else ''}。学籍注销,学籍辅号注销。")
