"""Staff accounts kept by an authority's administrator (create, deactivate, reset password):
each one call of cases/services/staff.py, which decides who may."""

import graphene
from graphql_relay import from_global_id

from cases import models as m
from cases.services.staff import staff_create, staff_reset_password, staff_set_active, staff_update
from graphql_api.core.filters import ApiFilterSet, Ordering
from graphql_api.core.mutations import BadId, ServiceMutation, get_visible
from graphql_api.core.nodes import ScopedConnectionField
from graphql_api.registry.types import JurisdictionNode, SchoolNode

from .types import StaffAccountNode

FIELD_NAMES = {"unit": "unitId", "trained_on": "trainedOn", "filed_on": "filedOn", "profile": "id"}


class StaffAccountInput(graphene.InputObjectType):
    username = graphene.String(required=True)
    password = graphene.String(required=True)
    full_name = graphene.String(required=True, description="真实姓名")
    unit_id = graphene.ID(required=True, description="学校或行政区划的 ID")
    role = graphene.String(required=True, description="registrar / reviewer / head")
    office = graphene.String(description="registry(默认)或 exam(省级考试管理部门)")
    trained_on = graphene.Date(required=True, description="培训日期(先培训后上岗,第三十六条)")
    filed_on = graphene.Date()


def _unit(info, global_id):
    try:
        type_name, _ = from_global_id(global_id or "")
    except (ValueError, TypeError):
        raise BadId("unitId") from None
    node_type = {"School": SchoolNode, "Jurisdiction": JurisdictionNode}.get(type_name)
    if node_type is None:
        raise BadId("unitId")
    return get_visible(info, node_type, global_id, "unitId")


class CreateStaffAccount(ServiceMutation):
    """教育行政部门负责人为本辖区单位登记学籍工作人员账号。"""

    result = graphene.Field(StaffAccountNode)
    field_names = FIELD_NAMES

    class Arguments:
        input = StaffAccountInput(required=True)

    @classmethod
    def perform(cls, info, input):
        unit = _unit(info, input["unit_id"])
        return staff_create(acting_user=info.context.user, username=input["username"].strip(),
                            password=input["password"], full_name=input["full_name"].strip(), unit=unit,
                            role=input["role"], office=input.get("office") or m.Office.REGISTRY,
                            trained_on=input["trained_on"], filed_on=input.get("filed_on"))


class DeactivateStaffAccount(ServiceMutation):
    result = graphene.Field(StaffAccountNode)
    field_names = FIELD_NAMES

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, info, id, reason):
        profile = get_visible(info, StaffAccountNode, id)
        return staff_set_active(acting_user=info.context.user, profile=profile, active=False, reason=reason)


class ActivateStaffAccount(ServiceMutation):
    """重新启用停用的账号。"""

    result = graphene.Field(StaffAccountNode)
    field_names = FIELD_NAMES

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        profile = get_visible(info, StaffAccountNode, id)
        return staff_set_active(acting_user=info.context.user, profile=profile, active=True)


class UpdateStaffAccount(ServiceMutation):
    """修改角色、培训和备案日期、真实姓名;省略的项不变。"""

    result = graphene.Field(StaffAccountNode)
    field_names = FIELD_NAMES

    class Arguments:
        id = graphene.ID(required=True)
        role = graphene.String()
        full_name = graphene.String()
        trained_on = graphene.Date()
        filed_on = graphene.Date()

    @classmethod
    def perform(cls, info, id, **changes):
        profile = get_visible(info, StaffAccountNode, id)
        return staff_update(acting_user=info.context.user, profile=profile, changes=changes)


class ResetStaffPassword(ServiceMutation):
    result = graphene.Field(StaffAccountNode)
    field_names = FIELD_NAMES

    class Arguments:
        id = graphene.ID(required=True)
        password = graphene.String(required=True, description="新密码(须符合密码规则)")

    @classmethod
    def perform(cls, info, id, password):
        profile = get_visible(info, StaffAccountNode, id)
        return staff_reset_password(acting_user=info.context.user, profile=profile, password=password)


class StaffAccountFilter(ApiFilterSet):
    order_by = Ordering("id")

    class Meta(ApiFilterSet.Meta):
        model = m.StaffProfile


class StaffQueries(graphene.ObjectType):
    staff_accounts = ScopedConnectionField(StaffAccountNode, filterset_class=StaffAccountFilter,
                                           description="本辖区的学籍工作人员账号")


class StaffMutations(graphene.ObjectType):
    create_staff_account = CreateStaffAccount.Field()
    deactivate_staff_account = DeactivateStaffAccount.Field()
    reset_staff_password = ResetStaffPassword.Field()
    activate_staff_account = ActivateStaffAccount.Field()
    update_staff_account = UpdateStaffAccount.Field()
