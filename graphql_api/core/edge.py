"""Edge validation of every argument of every field, before any resolver or service sees it:
what no field of the registry accepts is refused here with a typed Chinese error, so it never
reaches the database as a 500 or an ``internal_error``. Field-specific rules (lengths of a
name, the declared fields of a case type) stay with the services and case types.

- text: no NUL or other control characters (tab and newlines allowed), at most
  ``MAX_TEXT`` characters;
- dates: between 1900-01-01 and 2100-12-31 (registry dates; far dates overflow date arithmetic);
Page sizes (``first``/``last``: null, negative, over the limit) are answered by the connection
fields themselves (graphql_api/core/nodes.py: ``invalid_page``, ``page_too_large``).
"""

import datetime
import unicodedata

from graphql import GraphQLError

MAX_TEXT = 5000
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def _problem(value, name):
    """(code, message) for the first value no field accepts, or None."""
    if isinstance(value, str):
        if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS for c in value):
            return "invalid_character", f"{name}含有控制字符(如 NUL),请删除后重试"
        if any(unicodedata.category(c) == "Cs" for c in value):
            return "invalid_character", f"{name}含有无效的字符编码"
        if len(value) > MAX_TEXT:
            return "too_long", f"{name}过长(不超过{MAX_TEXT}个字符)"
    elif isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST <= day <= LATEST:
            return "date_out_of_range", f"{name}超出允许范围(1900年1月1日至2100年12月31日)"
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _problem(item, key)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = _problem(item, name)
            if found:
                return found
    return None


class InputGuardMiddleware:
    def resolve(self, next, root, info, **args):
        if args:
            for key, value in args.items():
                found = _problem(value, key)
                if found:
                    code, message = found
                    raise GraphQLError(message, extensions={"code": code, "field": key})
        return next(root, info, **args)
