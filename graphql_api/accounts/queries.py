import graphene
from django.contrib.auth import get_user_model

from graphql_api.core import enums
from graphql_api.core.filters import ApiFilterSet, Ordering
from graphql_api.core.nodes import ScopedConnectionField
from graphql_api.models import ApiToken
from graphql_api.registry.types import JurisdictionNode, SchoolNode

from .types import ApiTokenNode, User


class Unit(graphene.Union):
    """The unit a staff member belongs to: a school or an education authority."""

    class Meta:
        types = (SchoolNode, JurisdictionNode)


class Me(graphene.ObjectType):
    user = graphene.Field(User, required=True)
    unit = graphene.Field(Unit, description="所在单位(学校或教育行政部门),无则为空")
    role = graphene.Field(enums.Role, description="角色")
    is_superuser = graphene.Boolean(required=True)
    scope_code = graphene.String(description="可访问范围:行政区划代码前缀;学校用户为空")
    permissions = graphene.List(graphene.NonNull(graphene.String), required=True,
                                description="模型权限,如 cases.add_case")

    def resolve_user(root, info):
        return root

    def resolve_unit(root, info):
        profile = getattr(root, "staff_profile", None)
        return profile.unit if profile else None

    def resolve_role(root, info):
        profile = getattr(root, "staff_profile", None)
        return profile.role if profile else None

    def resolve_scope_code(root, info):
        from cases.access import scope_of

        return scope_of(root).code

    def resolve_permissions(root, info):
        return sorted(root.get_all_permissions())


class ApiTokenFilter(ApiFilterSet):
    order_by = Ordering("created_at", "expires_at")

    class Meta(ApiFilterSet.Meta):
        model = ApiToken


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(Me, description="当前用户;未登录时为 null")
    api_tokens = ScopedConnectionField(ApiTokenNode, filterset_class=ApiTokenFilter, description="我的接口访问令牌")

    def resolve_me(root, info):
        user = info.context.user
        if not user.is_authenticated:
            return None
        return get_user_model().objects.select_related("staff_profile__school", "staff_profile__jurisdiction").get(pk=user.pk)
