"""Global IDs: decode them strictly, fetch through the type's scope, answer "not found" the
same way for a missing object and for one out of scope."""

from django.core.exceptions import ValidationError
from graphql_relay import from_global_id

from cases import access
from cases.edge import is_digits
from cases.prepared import PreparedReads

from .errors import INVALID_ID, MESSAGES, ApiError
from .optimize import node_tree


class InvalidId(ValueError):
    pass


def decode(global_id, node_type):
    """The primary key inside ``global_id``; InvalidId if it is malformed or of another type."""
    try:
        type_name, pk = from_global_id(global_id or "")
    except (ValueError, TypeError) as exc:  # bad base64 and bad unicode are ValueErrors
        raise InvalidId(global_id) from exc
    if type_name != node_type._meta.name or not is_digits(pk):
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
    return fetch_one(info, node_type, "pk", decode(global_id, node_type))


# One statement per shape: the node type, the lookup, who asks (scope and permissions decide the
# SQL) and what the query selects (the joins); only the looked-up value changes between calls.
PREPARED = PreparedReads()


def viewer_key(user):
    """Everything about the caller a scoped queryset is built from: the unit's scope, the
    permissions, and the role and office (who decides which steps, cases.workflow)."""
    if not user.is_authenticated:
        return None
    profile = access.profile_of(user)
    duties = (profile.role, profile.office) if profile else None
    if user.is_superuser:
        return (user.pk, user.is_active, True, duties)
    return (user.pk, user.is_active, False, access.scope_of(user), frozenset(user.get_all_permissions()), duties)


def frozen_tree(tree):
    return tuple(sorted((name, frozen_tree(subtree)) for name, subtree in tree.items()))


def fetch_one(info, node_type, lookup, value, *, narrow=None):
    """The object of ``node_type`` whose ``lookup`` equals ``value``, if the caller may see it
    (and it passes ``narrow(user)``, a Q over the model, when given), loaded as the query asks;
    else None."""
    user = info.context.user
    model = node_type._meta.model

    def build(looked_up):
        queryset = model._default_manager.filter(**{lookup: looked_up})
        if narrow is not None:
            queryset = queryset.filter(narrow(user))
        return node_type.get_single_queryset(queryset, info)[:1]

    try:
        if node_type.prepared:
            key = (node_type, lookup, narrow, viewer_key(user), frozen_tree(node_tree(info)))
            objects = PREPARED.rows(key, build, value)
        else:
            objects = list(build(value))
    except (ValueError, TypeError, ValidationError):
        return None
    if objects:
        node_type.prepare(objects, info, single=True)
        from .guard import warm

        warm(info, node_type, objects, scoped=True)  # fetched through the type's scope: no second check
    return objects[0] if objects else None
