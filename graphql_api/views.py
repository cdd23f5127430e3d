"""The GraphQL endpoint: session (same origin, CSRF enforced) or personal API token
(``Authorization: Bearer <secret>``, CSRF-exempt), multipart uploads, cached parsing and
validation, cost control, and errors that never show a traceback."""

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DatabaseError, DataError
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from graphene_django.views import HttpError
from graphene_file_upload.django import FileUploadGraphQLView
from graphene_file_upload.utils import place_files_in_operations
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast
from wagtail.documents import get_document_model

from cases import access
from cases import models as m
from cases.services.reads import student_reads_record

from .core.documents import parse_and_validate
from .core.errors import MESSAGES, UNAUTHENTICATED
from .core.fields import FieldMiddleware
from .core.gate import anonymous_refusal
from .core.reads import log_reads
from .services import api_token_authenticate

# graphql-core's refusal of a variable's value: "Variable '$input' got invalid value … at 'input.x'; …"
VARIABLE_ERROR = re.compile(r"^Variable '\$(?P<variable>\w+)' (?:got invalid value .*?(?: at '(?P<path>[^']+)')?;|of )",
                            re.S)
logger = logging.getLogger(__name__)


def _never_awaitable(value):
    return False


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_refusal(request):
    """Django's own CSRF check, run for session (non-token) requests: the reason, or None."""
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def _error(message, code, status):
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def token_refusal(request):
    """With an ``Authorization`` header the request is the token's user (the session is ignored);
    a bad token is refused. Returns a 401 response, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    request.xueji_token_auth = False
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    user = api_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return _error("访问令牌无效、已过期或已吊销", UNAUTHENTICATED, 401)
    request.user = user
    request.xueji_token_auth = True
    return None


def document_download(request, pk):
    """A document of a case's evidence or of an archive entry, for session and token callers
    alike, only if the caller may see that case or that student (else 404, as for a missing one)."""
    refusal = token_refusal(request)
    if refusal:
        return refusal
    user = request.user
    document = get_document_model().objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    # Only through a case or an archive entry the caller may see; else the 404 of a missing file,
    # and nothing is logged.
    evidence = list(m.Evidence.objects.filter(document=document, case__in=access.visible(user, m.Case))
                    .values_list("case__number", "case__student_id", "case__registration__student_id"))
    entries = list(access.visible(user, m.ArchiveEntry).filter(document=document).values_list("student_id",
                                                                                                flat=True))
    if not evidence and not entries:
        raise Http404
    # 第三十八条: evidence and archive files are the student's record (a household register, a
    # medical certificate): who fetched which file, of whom, through this door (the admin's case
    # page and the API both link here).
    students = [*entries, *(pk for _, student, registered in evidence for pk in (student, registered) if pk)]
    what = f"证明材料 {evidence[0][0]}:{document.title}" if evidence else f"档案文件:{document.title}"
    student_reads_record(acting_user=user, students=students, door=m.ReadDoor.DOCUMENT, what=what[:200])
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)


class XuejiGraphQLView(FileUploadGraphQLView):
    def dispatch(self, request, *args, **kwargs):
        refusal = token_refusal(request)
        if refusal:
            return refusal
        refusal = anonymous_refusal(request)  # before the body is read or parsed
        if refusal:
            return _error(*refusal)
        if not request.xueji_token_auth:
            reason = csrf_refusal(request)
            if reason:
                return _error(f"CSRF 校验失败({reason})", "csrf_failed", 403)
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        content_type = self.get_content_type(request)
        if content_type == "multipart/form-data" and "operations" in request.POST:
            try:
                operations = json.loads(request.POST["operations"])
                files_map = json.loads(request.POST.get("map", "{}"))
                data = place_files_in_operations(operations, files_map, request.FILES)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError):
                data = None
            if not isinstance(data, dict):
                raise HttpError(HttpResponseBadRequest("multipart 请求格式错误(operations/map 与文件不符)"))
            return data
        data = super().parse_body(request)
        if not isinstance(data, dict) and not self.batch:
            raise HttpError(HttpResponseBadRequest("请求体应为 JSON 对象"))
        return data

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("缺少 query"))
        if not isinstance(query, str) or len(query) > settings.XUEJI_GRAPHQL_MAX_QUERY_LENGTH:
            return ExecutionResult(errors=[GraphQLError("查询文本过长", extensions={"code": "query_too_large"})])
        if variables is not None and not isinstance(variables, dict):
            return ExecutionResult(errors=[GraphQLError("variables 应为 JSON 对象", extensions={"code": "bad_request"})])
        limits = (settings.XUEJI_GRAPHQL_MAX_DEPTH, settings.XUEJI_GRAPHQL_MAX_COST)
        document, errors = parse_and_validate(self.schema, query, settings.XUEJI_GRAPHQL_INTROSPECTION, limits)
        if errors:
            return ExecutionResult(errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            return ExecutionResult(errors=[GraphQLError("修改操作须使用 POST", extensions={"code": "bad_request"})])
        try:
            # Resolvers are synchronous (Django): nothing a field returns is awaited, so
            # graphql-core need not ask every value whether it is awaitable.
            result = execute(self.schema.graphql_schema, document, root_value=self.get_root_value(request),
                             context_value=self.get_context(request), variable_values=variables,
                             operation_name=operation_name, middleware=[FieldMiddleware()],
                             is_awaitable=_never_awaitable)
            log_reads(request)  # 第三十八条; if it cannot be written, the records are not returned
            return result
        except Exception as exc:  # shown as a clean internal_error by format_error, logged with its traceback
            return ExecutionResult(errors=[GraphQLError(str(exc), original_error=exc)])

    @staticmethod
    def format_error(error):
        if not isinstance(error, GraphQLError):
            return {"message": str(error)}
        original = error.original_error
        if (original is None or isinstance(original, (GraphQLError, ValueError, TypeError))) \
                and not (error.extensions or {}).get("code"):
            coerced = VARIABLE_ERROR.match(error.message)
            if coerced:  # a variable's value of the wrong type (a date "2026-13-01", an unknown enum value)
                where = coerced.group("path") or coerced.group("variable")
                missing = "was not provided" in error.message or "must not be null" in error.message
                formatted = error.formatted
                formatted["message"] = f"缺少必填的值({where})" if missing else \
                    f"输入值的格式不正确({where}):日期请用 YYYY-MM-DD,选项请用允许的值"
                formatted["extensions"] = {"code": "invalid_value", "field": where, "detail": error.message}
                return formatted
        if original is None or isinstance(original, GraphQLError):
            return error.formatted
        if isinstance(original, PermissionDenied):
            message, code = "无权执行此操作", "permission_denied"
        elif isinstance(original, ObjectDoesNotExist):
            message, code = MESSAGES["not_found"], "not_found"
        elif isinstance(original, DataError):  # a value the column cannot hold; the transaction rolled back
            message, code = "输入的内容超出允许的长度或范围", "invalid_input"
        elif isinstance(original, DatabaseError):
            logger.error("GraphQL resolver: database unavailable", exc_info=original)
            message, code = "数据库暂时不可用,请稍后重试", "service_unavailable"
        else:
            logger.error("GraphQL resolver failed", exc_info=original)
            message, code = "服务器内部错误,请稍后重试或联系管理员", "internal_error"
        formatted = error.formatted
        formatted["message"] = message
        formatted["extensions"] = {"code": code}
        return formatted
