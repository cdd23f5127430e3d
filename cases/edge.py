"""What no field of the registry accepts, whichever door it comes through: the GraphQL edge
(graphql_api/core/edge.py) and every Django form (cms/formguard.py) ask ``problem``.

- text: no NUL or other control characters (tab and newlines allowed), no lone surrogates,
  at most ``MAX_TEXT`` characters where no field-specific limit applies;
- dates: between 1900-01-01 and 2100-12-31 (registry dates; far dates overflow date arithmetic);
- whole numbers: within a 32-bit integer (what GraphQL's Int and the database columns hold).
"""

import datetime
import unicodedata

MAX_TEXT = 5000
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
MAX_INT = 2**31 - 1
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def problem(value, name="", *, max_text=MAX_TEXT, label_keys=True):
    """(code, Chinese message) for the first part of ``value`` no field accepts, or None.
    ``name`` prefixes the message (the API names the argument, and with ``label_keys`` the key
    of a nested input; a form shows the message at its field, unprefixed); ``max_text=None``
    leaves lengths to the field."""
    if isinstance(value, str):
        if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS for c in value):
            return "invalid_character", f"{name}含有控制字符(如 NUL),请删除后重试"
        if any(unicodedata.category(c) == "Cs" for c in value):
            return "invalid_character", f"{name}含有无效的字符编码"
        if max_text is not None and len(value) > max_text:
            return "too_long", f"{name}过长(不超过{max_text}个字符)"
    elif isinstance(value, datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST <= day <= LATEST:
            return "date_out_of_range", f"{name}超出允许范围(1900年1月1日至2100年12月31日)"
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_INT:
            return "number_out_of_range", f"{name}数值超出允许范围"
    elif isinstance(value, dict):
        for key, item in value.items():
            found = problem(key, name, max_text=max_text, label_keys=label_keys) or problem(
                item, str(key) if label_keys else name, max_text=max_text, label_keys=label_keys)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = problem(item, name, max_text=max_text, label_keys=label_keys)
            if found:
                return found
    return None


def is_digits(text):
    """Whether ``text`` is a plain number (ASCII digits): ``str.isdigit`` alone also accepts "²"
    or "１", which ``int()`` or the database then refuse (a 500 from a hostile id)."""
    return isinstance(text, str) and text.isascii() and text.isdigit()
