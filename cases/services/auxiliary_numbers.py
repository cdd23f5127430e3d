"""Issue and cancel auxiliary numbers (第九、十、二十三、三十、三十二条)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.audit import audit
from cases.errors import RuleError
from cases.models import (
    STAGE_YEARS,
    AuxiliaryNumber,
    AuxiliaryNumberKind,
    AuxiliaryNumberTemplate,
    Registration,
    Stage,
    school_year_of,
)
from cases.numbers.auxiliary import (
    DEFAULT_COMPULSORY_TEMPLATE,
    high_school_layout,
    number_fields,
    template_layout,
    validate_template,
)

from .sequences import sequence_next


def compulsory_template_for(county):
    """The county's own template, else its city's, else the default (第十条: 市或县制订)."""
    templates = {
        t.jurisdiction.code: t.pattern
        for t in AuxiliaryNumberTemplate.objects.filter(jurisdiction__code__in=[county.code, county.code[:4]])
        .select_related("jurisdiction")
    }
    return templates.get(county.code) or templates.get(county.code[:4]) or DEFAULT_COMPULSORY_TEMPLATE


def entry_cohort(registration):
    """The year the student entered the stage: their class's cohort. A student who changes
    school keeps it (第十条: the number's entry year is the cohort's, not the year of the
    change); a registration without a class counts from its own start."""
    return registration.school_class.cohort if registration.school_class_id else registration.started_on.year


def grade_of(cohort, stage, on):
    """The grade of a cohort on a day (1 = first year), as ``SchoolClass.grade`` counts it."""
    grade = school_year_of(on) - cohort + 1
    return None if grade < 1 else min(grade, STAGE_YEARS[stage] + 1)


def layout_for(registration):
    """(kind, NumberLayout) of the number a registration gets (第十条)."""
    school = registration.school
    entry_year = entry_cohort(registration)
    try:
        fields = number_fields(
            entry_year=entry_year,
            county_code=school.county.code,
            county_aux_code=school.county.auxiliary_code,
            school_code=school.code,
            school_aux_code=school.auxiliary_code,
            stage=registration.stage,
        )
        if registration.stage == Stage.SENIOR:
            return AuxiliaryNumberKind.HIGH_SCHOOL, high_school_layout(fields)
        return AuxiliaryNumberKind.COMPULSORY, template_layout(compulsory_template_for(school.county), fields)
    except ValidationError as error:  # from the pure format code: give it its article
        raise RuleError(getattr(error, "code", "auxiliary_number_format"), error.messages[0], article="第十条") from error


@transaction.atomic
def auxiliary_number_issue(*, acting_user, registration):
    """Issue the next number for an open registration that has none live."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("school__county", "school_class").get(
        pk=registration.pk
    )
    if not registration.is_open:
        raise RuleError("registration_closed", "学籍已关闭,不能编排学籍辅号", article="第九条")
    if registration.auxiliary_numbers.filter(cancelled_at__isnull=True).exists():
        raise RuleError("auxiliary_number_live", "该学籍已有有效的学籍辅号,须先注销", article="第九条")
    kind, layout = layout_for(registration)
    while True:
        number = layout.render(sequence_next(layout.prefix))
        try:
            with transaction.atomic():
                issued = AuxiliaryNumber.objects.create(
                    number=number, kind=kind, registration=registration, school=registration.school, issued_by=acting_user
                )
            break
        except IntegrityError:
            # A number taken under an earlier template: never reuse it, take the next one.
            if not AuxiliaryNumber.objects.filter(number=number).exists():
                raise
    audit(issued, "xueji.auxiliary.issue", acting_user=acting_user, data={"number": number, "registration": registration.pk})
    return issued


@transaction.atomic
def auxiliary_number_cancel(*, acting_user, registration, reason):
    """Cancel the live number of a registration; returns it, or None when it had none."""
    live = AuxiliaryNumber.objects.select_for_update().filter(registration=registration, cancelled_at__isnull=True).first()
    if live is None:
        return None
    live.cancelled_at = timezone.now()
    live.cancelled_reason = reason
    live.cancelled_by = acting_user
    live.save(update_fields=["cancelled_at", "cancelled_reason", "cancelled_by"])
    audit(live, "xueji.auxiliary.cancel", acting_user=acting_user, data={"number": live.number, "reason": reason})
    return live


@transaction.atomic
def auxiliary_template_set(*, acting_user, jurisdiction, pattern):
    """A city or county sets its compulsory-education format (第十条)."""
    if jurisdiction.level not in ("city", "county"):
        raise RuleError("auxiliary_template_level", "义务教育学籍辅号规则只能由市或县制订", article="第十条")
    try:
        validate_template(pattern)
    except ValidationError as error:
        raise RuleError(error.code, error.messages[0], field="pattern", article="第十条") from error
    template, _ = AuxiliaryNumberTemplate.objects.update_or_create(jurisdiction=jurisdiction, defaults={"pattern": pattern})
    audit(template, "xueji.auxiliary.template", acting_user=acting_user, data={"pattern": pattern})
    return template
