"""Request-level robustness and observability: slow requests are logged, and the API answers
JSON whatever fails (a traceback page is of no use to an API client)."""

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse

logger = logging.getLogger("xueji.requests")

API_PREFIX = "/graphql/"


def api_error_response(request, error):
    """The JSON answer of the API when something below it failed (logged with its traceback)."""
    unavailable = isinstance(error, DatabaseError)
    logger.error("API request failed", exc_info=error,
                 extra={"path": request.path, "method": request.method, "error_type": type(error).__name__})
    if unavailable:
        message, code, status = "数据库暂时不可用,请稍后重试", "service_unavailable", 503
    else:
        message, code, status = "服务器内部错误,请稍后重试或联系管理员", "internal_error", 500
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        elapsed_ms = round((time.monotonic() - started) * 1000)
        if elapsed_ms >= settings.XUEJI_SLOW_REQUEST_MS:
            logger.warning("slow request", extra={"path": request.path, "method": request.method,
                                                  "status": response.status_code, "duration_ms": elapsed_ms})
        return response

    def process_exception(self, request, exception):
        # A 404 or 403 is an answer, not a failure: the document download under /graphql/ must
        # answer a missing or out-of-scope file exactly as Django does (404), never a 500.
        if isinstance(exception, (Http404, PermissionDenied)):
            return None
        if request.path.startswith(API_PREFIX):
            return api_error_response(request, exception)
        return None  # Django's handler: logged by django.request, the 500 page


def server_error(request, *args, **kwargs):
    """handler500: JSON under the API (an error raised by a middleware never reaches the view's
    own handling), Django's page elsewhere."""
    from django.views.defaults import server_error as page

    if request.path.startswith(API_PREFIX):
        return JsonResponse({"errors": [{"message": "服务器内部错误,请稍后重试或联系管理员",
                                         "extensions": {"code": "internal_error"}}]}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    return page(request, *args, **kwargs)
