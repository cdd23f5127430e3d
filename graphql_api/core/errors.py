"""Errors the API shows: typed mutation errors and clean GraphQL errors (never a traceback)."""

import graphene
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from cases.errors import rule_errors

NOT_FOUND = "not_found"
PERMISSION_DENIED = "permission_denied"
INVALID_ID = "invalid_id"
UNAUTHENTICATED = "unauthenticated"
MESSAGES = {
    UNAUTHENTICATED: "请先登录或提供有效的访问令牌",
    NOT_FOUND: "对象不存在或无权访问",
    PERMISSION_DENIED: "无权执行此操作",
    INVALID_ID: "无效的ID",
}


class ApiError(GraphQLError):
    """A refusal shown to the caller as ``{message, extensions: {code}}``."""

    def __init__(self, message, code, node=None):
        super().__init__(message, node, extensions={"code": code})


class Error(graphene.ObjectType):
    """A broken rule or a refusal: the same code and message the admin shows."""

    field = graphene.String(description="出错的输入字段(camelCase),整体错误为空")
    code = graphene.String(required=True, description="错误代码,如 transfer_initial_grade、not_found")
    message = graphene.String(required=True, description="中文说明")
    article = graphene.String(description="依据条款,如 第二十六条")


def error(code, field=None, message=None, article=""):
    return Error(field=field, code=code, message=message or MESSAGES[code], article=article)


def errors_from_validation(validation_error, field_names=None):
    """A Django ValidationError (RuleErrors included) as a list of ``Error``; service field
    names are turned into the input's names (``destination_school`` → ``destinationSchoolCode``)."""
    field_names = field_names or {}
    items = []
    for item in rule_errors(validation_error):
        field = item["field"]
        if field:
            field = field_names.get(field, to_camel_case(field))
        items.append(Error(field=field, code=item["code"], message=item["message"], article=item["article"] or ""))
    return items
