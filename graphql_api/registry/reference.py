"""Reference data kept by the authorities: schools, the compulsory-education auxiliary-number
format of a city or county (第十条), the working-day calendar (kept by the province)."""

import graphene
from django.core.exceptions import PermissionDenied

from cases import access
from cases.errors import RuleError
from cases.services.archives import calendar_override_set
from cases.services.auxiliary_numbers import auxiliary_template_set
from cases.services.schools import school_create, school_update
from graphql_api.core import enums
from graphql_api.core.mutations import ServiceMutation, get_visible, get_writable

from .types import JurisdictionNode, SchoolNode


def _require(info, permission):
    if not info.context.user.has_perm(permission):
        raise PermissionDenied


class SchoolInput(graphene.InputObjectType):
    name = graphene.String()
    category = enums.SchoolCategory()
    ownership = enums.Ownership()
    supervision = enums.Supervision()
    auxiliary_code = graphene.String(description="学籍辅号中的2位学校码")
    township_id = graphene.ID()


class NewSchoolInput(SchoolInput):
    code = graphene.String(required=True, description="10位学校标识码")
    name = graphene.String(required=True)
    category = enums.SchoolCategory(required=True)
    county_id = graphene.ID(required=True)


def _school_fields(info, data):
    fields = {}
    for key, value in data.items():
        if key == "county_id":
            fields["county"] = get_visible(info, JurisdictionNode, value, "countyId")
        elif key == "township_id":
            fields["township"] = get_visible(info, JurisdictionNode, value, "townshipId") if value else None
        elif value is not None:
            fields[key] = enums.value(value)
    county = fields.get("county")
    if county is not None and not access.scope_of(info.context.user).everything \
            and not county.code.startswith(access.scope_of(info.context.user).code or "-"):
        raise PermissionDenied  # a new school lies within the authority's own jurisdiction
    return fields


class CreateSchool(ServiceMutation):
    result = graphene.Field(SchoolNode)
    field_names = {"county": "countyId", "township": "townshipId"}

    class Arguments:
        input = NewSchoolInput(required=True)

    @classmethod
    def perform(cls, info, input):
        _require(info, "cases.add_school")
        return school_create(acting_user=info.context.user, **_school_fields(info, input))


class UpdateSchool(ServiceMutation):
    result = graphene.Field(SchoolNode)
    field_names = {"township": "townshipId"}

    class Arguments:
        id = graphene.ID(required=True)
        input = SchoolInput(required=True)

    @classmethod
    def perform(cls, info, id, input):
        _require(info, "cases.change_school")
        school = get_writable(info, SchoolNode, id)
        return school_update(acting_user=info.context.user, school=school, changes=_school_fields(info, input))


class AuxiliaryNumberTemplate(graphene.ObjectType):
    jurisdiction = graphene.Field(JurisdictionNode, required=True)
    pattern = graphene.String(required=True)


class SetAuxiliaryNumberTemplate(ServiceMutation):
    """市或县制订义务教育学籍辅号规则(第十条)。"""

    result = graphene.Field(AuxiliaryNumberTemplate)

    class Arguments:
        jurisdiction_id = graphene.ID(required=True)
        pattern = graphene.String(required=True)

    @classmethod
    def perform(cls, info, jurisdiction_id, pattern):
        _require(info, "cases.change_auxiliarynumbertemplate")
        jurisdiction = get_writable(info, JurisdictionNode, jurisdiction_id, "jurisdictionId")
        if not access.scope_of(info.context.user).everything and \
                not jurisdiction.code.startswith(access.scope_of(info.context.user).code or "-"):
            raise PermissionDenied
        return auxiliary_template_set(acting_user=info.context.user, jurisdiction=jurisdiction, pattern=pattern)


class WorkdayOverride(graphene.ObjectType):
    day = graphene.Date(required=True)
    is_working_day = graphene.Boolean(required=True)
    note = graphene.String(required=True)


class SetWorkdayOverride(ServiceMutation):
    """省级学籍管理部门录入节假日调休(办理期限按工作日计算,第二十五条)。"""

    result = graphene.Field(WorkdayOverride)

    class Arguments:
        day = graphene.Date(required=True)
        is_working_day = graphene.Boolean(required=True)
        note = graphene.String()

    @classmethod
    def perform(cls, info, day, is_working_day, note=""):
        user = info.context.user
        _require(info, "cases.change_calendaroverride")
        scope = access.scope_of(user)
        if not (scope.everything or len(scope.code or "") == 2):
            raise RuleError("calendar_province_only", "工作日调整由省级学籍管理部门录入", article="第二十五条")
        return calendar_override_set(acting_user=user, day=day, is_working_day=is_working_day, note=note or "")


class ReferenceMutations(graphene.ObjectType):
    create_school = CreateSchool.Field()
    update_school = UpdateSchool.Field()
    set_auxiliary_number_template = SetAuxiliaryNumberTemplate.Field()
    set_workday_override = SetWorkdayOverride.Field()
