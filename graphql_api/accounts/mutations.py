import graphene
from django.core.exceptions import PermissionDenied

from graphql_api import services
from graphql_api.core.mutations import ServiceMutation, get_visible

from .types import ApiTokenNode


class CreateApiToken(ServiceMutation):
    """为自己创建接口访问令牌;secret 只返回这一次。须以登录会话调用(令牌不能创建令牌)。"""

    result = graphene.Field(ApiTokenNode)
    secret = graphene.String(description="令牌密钥,请求头 Authorization: Bearer <secret>;只显示一次")

    class Arguments:
        name = graphene.String(required=True)
        days = graphene.Int(required=True, description="有效天数(1~365)")

    @classmethod
    def perform(cls, info, name, days):
        if getattr(info.context, "xueji_token_auth", False):
            raise PermissionDenied
        user = info.context.user
        token, secret = services.api_token_create(acting_user=user, user=user, name=name, days=days)
        token.secret = secret
        return token

    @classmethod
    def mutate(cls, root, info, **arguments):
        payload = super().mutate(root, info, **arguments)
        payload.secret = getattr(payload.result, "secret", None) if payload.result else None
        return payload


class RevokeApiToken(ServiceMutation):
    result = graphene.Field(ApiTokenNode)

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        token = get_visible(info, ApiTokenNode, id)
        return services.api_token_revoke(acting_user=info.context.user, token=token)


class AccountMutations(graphene.ObjectType):
    create_api_token = CreateApiToken.Field()
    revoke_api_token = RevokeApiToken.Field()
