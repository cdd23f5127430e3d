import graphene

from cases.case_types import CASE_TYPES
from graphql_api.core.errors import ApiError
from graphql_api.core.ids import InvalidId, fetch, fetch_one
from graphql_api.core.nodes import ScopedConnectionField

from .filters import CaseFilter
from .types import CaseNode, CaseType


class CaseQueries(graphene.ObjectType):
    cases = ScopedConnectionField(CaseNode, filterset_class=CaseFilter,
                                  description="本单位可见的案卷(办理学校、转入学校及其上级)")
    case = graphene.Field(CaseNode, id=graphene.ID(), number=graphene.String(),
                          description="一个案卷(按 ID 或案卷编号);不存在或无权查看时为 null")
    case_types = graphene.List(graphene.NonNull(CaseType), required=True, description="学籍变动类型")

    def resolve_case(root, info, id=None, number=None):
        if bool(id) == bool(number):
            raise ApiError("请提供 id 或 number 之一", "invalid_argument")
        try:
            return fetch(info, CaseNode, id) if id else fetch_one(info, CaseNode, "number", number)
        except InvalidId:
            raise ApiError("无效的ID", "invalid_id") from None

    def resolve_case_types(root, info):
        return list(CASE_TYPES.values())

