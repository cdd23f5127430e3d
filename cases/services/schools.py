from django.db import transaction

from cases.audit import audit
from cases.errors import RuleError
from cases.models import CATEGORY_STAGES, School

from .current import school_scope_changed


def _check(school):
    allowed = {str(stage) for stage in CATEGORY_STAGES[school.category]}
    if not set(school.stages) <= allowed:
        raise RuleError("school_category_stages", "学段与学校类别不符", field="stages")
    if school.county.level != "county":
        raise RuleError("school_county", "学校须属于某个县(市、区)", field="county")
    if school.township_id and not school.township.code.startswith(school.county.code):
        raise RuleError("school_township", "乡镇不在该县内", field="township")
    school.full_clean()


@transaction.atomic
def school_create(*, acting_user, **fields):
    school = School(**fields)
    if not school.stages:
        school.stages = [str(stage) for stage in CATEGORY_STAGES[school.category]]
    _check(school)
    school.save()
    audit(school, "xueji.school.create", acting_user=acting_user, data={"code": school.code})
    return school


@transaction.atomic
def school_update(*, acting_user, school, changes):
    school = School.objects.select_for_update().get(pk=school.pk)
    before = school.scope_code
    for field, value in changes.items():
        setattr(school, field, value)
    _check(school)
    school.save()
    if school.scope_code != before:  # its students' denormalised scope follows (one UPDATE)
        school_scope_changed(school)
    audit(school, "xueji.school.edit", acting_user=acting_user, data={k: str(v) for k, v in changes.items()})
    return school
