"""Issue and cancel auxiliary numbers (第九、十、二十三、三十、三十二条)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.audit import audit, audit_many
from cases.bulk import any_of, blank_row, insert_new, instances
from cases.errors import RuleError
from cases.models import (
    OPEN_STATUSES,
    STAGE_YEARS,
    AuxiliaryNumber,
    AuxiliaryNumberKind,
    AuxiliaryNumberTemplate,
    Registration,
    School,
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

from .sequences import sequences_take


def compulsory_templates(counties):
    """{county code: template} for many counties in one query: the county's own template, else
    its city's, else the default (第十条: 市或县制订)."""
    codes = {c.code for c in counties} | {c.code[:4] for c in counties}
    templates = dict(AuxiliaryNumberTemplate.objects.filter(jurisdiction__code__in=codes)
                     .values_list("jurisdiction__code", "pattern"))
    return {c.code: templates.get(c.code) or templates.get(c.code[:4]) or DEFAULT_COMPULSORY_TEMPLATE
            for c in counties}


def compulsory_template_for(county):
    """The county's own template, else its city's, else the default (第十条: 市或县制订)."""
    return compulsory_templates([county])[county.code]


def entry_cohort(registration):
    """The year the student entered the stage: their class's cohort. A student who changes
    school keeps it (第十条: the number's entry year is the cohort's, not the year of the
    change); a registration without a class counts from its own start."""
    return registration.school_class.cohort if registration.school_class_id else registration.started_on.year


def grade_of(cohort, stage, on):
    """The grade of a cohort on a day (1 = first year), as ``SchoolClass.grade`` counts it."""
    grade = school_year_of(on) - cohort + 1
    return None if grade < 1 else min(grade, STAGE_YEARS[stage] + 1)


def layout_for(registration, templates=None):
    """(kind, NumberLayout) of the number a registration gets (第十条). ``templates``: the
    result of ``compulsory_templates`` for a batch (else one query)."""
    return layout_of(registration.school, registration.stage, entry_cohort(registration), templates)


def layout_of(school, stage, entry_year, templates=None):
    """(kind, NumberLayout) for a school (with its county), a stage and an entry year."""
    try:
        fields = number_fields(
            entry_year=entry_year,
            county_code=school.county.code,
            county_aux_code=school.county.auxiliary_code,
            school_code=school.code,
            school_aux_code=school.auxiliary_code,
            stage=stage,
        )
        if stage == Stage.SENIOR:
            return AuxiliaryNumberKind.HIGH_SCHOOL, high_school_layout(fields)
        template = templates[school.county.code] if templates is not None else compulsory_template_for(school.county)
        return AuxiliaryNumberKind.COMPULSORY, template_layout(template, fields)
    except ValidationError as error:  # from the pure format code: give it its article
        raise RuleError(getattr(error, "code", "auxiliary_number_format"), error.messages[0], article="第十条") from error


@transaction.atomic
def auxiliary_number_issue(*, acting_user, registration):
    """Issue the next number for an open registration that has none live."""
    (issued,) = auxiliary_numbers_issue(acting_user=acting_user, registrations=[registration])
    return issued


@transaction.atomic
def auxiliary_numbers_issue(*, acting_user, registrations):
    """Numbers for many open registrations without a live one, set-based: the registrations
    locked in one query, one look-up of live numbers, one counter update per number prefix (a
    range of N values), one INSERT that leaves out numbers already in the ledger
    (bulk.insert_new), one audit COPY."""
    given = {r.pk: r for r in registrations}
    ids = sorted(given)
    # Locked in one query, read as plain values (no model objects per registration); the
    # schools (a few) are loaded once with their counties.
    locked = list(
        Registration.objects.select_for_update(of=("self",)).filter(any_of("pk", ids, "bigint")).order_by("pk")
        .values_list("pk", "status", "school_id", "stage", "started_on", "school_class__cohort")
    )
    if any(status not in OPEN_STATUSES for _, status, *rest in locked):
        raise RuleError("registration_closed", "学籍已关闭,不能编排学籍辅号", article="第九条")
    if AuxiliaryNumber.objects.filter(any_of("registration_id", ids, "bigint"), cancelled_at__isnull=True).exists():
        raise RuleError("auxiliary_number_live", "该学籍已有有效的学籍辅号,须先注销", article="第九条")
    schools = School.objects.select_related("county").in_bulk({row[2] for row in locked})
    groups = {}  # the layout depends on school, stage and entry year only
    for pk, _, school_id, stage, started_on, cohort in locked:
        groups.setdefault((school_id, stage, cohort or started_on.year), []).append((pk, schools[school_id]))
    pending = []
    templates = compulsory_templates({s.county_id: s.county for s in schools.values()}.values())
    for (school_id, stage, entry_year), group in groups.items():
        kind, layout = layout_of(schools[school_id], stage, entry_year, templates)
        pending.append((kind, layout, group))
    rows = []  # written and returned as rows: no model object built per number (cases/bulk.py)
    blank = {**blank_row(AuxiliaryNumber, timezone.now()), "issued_by_id": acting_user.pk if acting_user else None}
    while pending:
        drawn = []
        counts = {}
        for kind, layout, group in pending:
            counts[layout.prefix] = counts.get(layout.prefix, 0) + len(group)
        firsts = sequences_take(counts)  # one statement for every prefix of the batch
        for kind, layout, group in pending:
            first = firsts[layout.prefix]
            firsts[layout.prefix] += len(group)
            drawn += [(kind, layout, r, number) for r, number in zip(group, layout.render_range(first, len(group)))]
        # A number already in the ledger (taken under an earlier template) is never reused:
        # insert_new leaves it out, and its registration draws again.
        written = insert_new(AuxiliaryNumber, [
            {**blank, "number": number, "kind": kind, "registration_id": pk, "school_id": school.pk}
            for kind, layout, (pk, school), number in drawn], key="number")
        rows += written
        numbered = {row["number"] for row in written}
        retry = {}
        for kind, layout, r, number in drawn:
            if number not in numbered:
                retry.setdefault(layout.prefix, (kind, layout, []))[2].append(r)
        pending = list(retry.values())
    issued = instances(AuxiliaryNumber, rows)
    if len(schools) == 1:  # one school's numbers: one scope for every entry, given once
        (school,) = schools.values()
        scope = (school.scope_code, school.pk)
    else:
        def scope(number):
            return schools[number.school_id].scope_code, number.school_id
    audit_many(issued, "xueji.auxiliary.issue", acting_user=acting_user, scope=scope,
               data=lambda a: {"number": a.number, "registration": a.registration_id})
    by_registration = {a.registration_id: a for a in issued}
    return [by_registration[r.pk] for r in registrations]


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
