"""What an anonymous caller may send, decided before the body is parsed.

Anonymous requests reach only the public part of the schema (pages, the regulation, the
working-day calendar), so they are small: a body over ``XUEJI_GRAPHQL_ANON_MAX_BYTES`` is
refused unread, and each IP (and all anonymous callers together) get a number of requests per
minute, counted in the Django cache (shared by the workers when the cache is Redis).
"""

from django.conf import settings

from cases.ratelimit import client_ip, over_limit


def anonymous_refusal(request):
    """(message, code, status) for a refused anonymous request, else None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    length += len(request.META.get("QUERY_STRING", ""))
    if length > settings.XUEJI_GRAPHQL_ANON_MAX_BYTES:
        return (f"未登录时请求不得超过 {settings.XUEJI_GRAPHQL_ANON_MAX_BYTES} 字节", "request_too_large", 413)
    period = 60
    if (over_limit(f"xueji:graphql:anon:ip:{client_ip(request)}", settings.XUEJI_GRAPHQL_ANON_PER_MINUTE, period)
            or over_limit("xueji:graphql:anon:all", settings.XUEJI_GRAPHQL_ANON_ALL_PER_MINUTE, period)):
        return ("请求过于频繁,请稍后再试", "rate_limited", 429)
    return None
