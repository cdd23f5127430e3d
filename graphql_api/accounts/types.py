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
