"""Global IDs: decode them strictly, fetch through the type's scope, answer "not found" the
same way for a missing object and for one out of scope."""

from django.core.exceptions import ValidationError
from graphql_relay import from_global_id

from .errors import INVALID_ID, MESSAGES, ApiError


class InvalidId(ValueError):
    pass


def decode(global_id, node_type):
    """The primary key inside ``global_id``; InvalidId if it is malformed or of another type."""
    try:
        type_name, pk = from_global_id(global_id or "")
    except (ValueError, TypeError) as exc:  # bad base64 and bad unicode are ValueErrors
        raise InvalidId(global_id) from exc
    if type_name != node_type._meta.name or not pk or not pk.isdigit():
        raise InvalidId(global_id)
    return int(pk)


def decode_or_error(global_id, node_type):
    try:
        return decode(global_id, node_type)
    except InvalidId:
        raise ApiError(MESSAGES[INVALID_ID], INVALID_ID) from None


def fetch(info, node_type, global_id):
    """The object behind ``global_id`` if the caller may see it, else None (missing and out of
    scope alike). Raises InvalidId for a malformed id or an id of another type."""
    pk = decode(global_id, node_type)
    return fetch_one(info, node_type, node_type._meta.model._default_manager.filter(pk=pk))


def fetch_one(info, node_type, queryset):
    """The first object of ``queryset`` the caller may see, loaded as the query asks."""
    try:
        objects = list(node_type.get_single_queryset(queryset, info)[:1])
    except (ValueError, TypeError, ValidationError):
        return None
    if objects:
        node_type.prepare(objects, info, single=True)
        from .guard import warm

        warm(info, node_type, objects, scoped=True)  # fetched through the type's scope: no second check
    return objects[0] if objects else None
