"""The caller: user, unit, role, permissions; personal API tokens."""

import graphene
from django.db.models import Q

from graphql_api.core.nodes import ScopedNode
from graphql_api.models import ApiToken


class User(graphene.ObjectType):
    """A staff member as shown next to what they did (not addressable on its own)."""

    username = graphene.String(required=True)
    full_name = graphene.String(required=True)

    def resolve_full_name(root, info):
        return root.get_full_name() or root.get_username()


class ApiTokenNode(ScopedNode):
    class Meta:
        model = ApiToken
        name = "ApiToken"
        fields = ("id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
        description = "接口访问令牌(密钥只在创建时显示一次)"

    @classmethod
    def scoped(cls, queryset, info):
        user = info.context.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset if user.is_superuser else queryset.filter(Q(user=user))


class StaffAccountNode(ScopedNode):
    """A staff account as its authority's administrator sees it (第三十六条)."""

    username = graphene.String(required=True)
    full_name = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)
    unit_name = graphene.String(required=True, description="所在单位(学校、教育行政部门或省级考试管理部门)")
    role = graphene.String(required=True, description="角色代码:registrar / reviewer / head")
    role_label = graphene.String(required=True)
    office = graphene.String(required=True, description="部门:registry 学籍主管部门,exam 省级考试管理部门")

    class Meta:
        from cases.models import StaffProfile

        model = StaffProfile
        name = "StaffAccount"
        fields = ("id", "trained_on", "filed_on", "is_formal_staff")
        description = "学籍工作人员账号"

    @classmethod
    def get_queryset(cls, queryset, info):
        return super().get_queryset(queryset, info).select_related("user", "school", "jurisdiction")

    def resolve_username(root, info):
        return root.user.username

    def resolve_full_name(root, info):
        return root.user.get_full_name() or root.user.username

    def resolve_is_active(root, info):
        return root.user.is_active

    def resolve_unit_name(root, info):
        return root.unit_name

    def resolve_role_label(root, info):
        return root.get_role_display()
