"""Every mutation is one service call answering ``{result, errors}``: a broken rule, a refusal
or an object the caller cannot see all come back as typed errors, never as an exception."""

import graphene
from django.core.exceptions import PermissionDenied, ValidationError

from .errors import INVALID_ID, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED, Error, error, errors_from_validation
from .ids import InvalidId, decode


class NotFound(Exception):
    def __init__(self, field=None):
        super().__init__(field)
        self.field = field


class BadId(Exception):
    def __init__(self, field=None):
        super().__init__(field)
        self.field = field


def get_visible(info, node_type, global_id, field="id"):
    """The object behind ``global_id`` if the caller may see it (the type's scope, from
    cases/access.py); NotFound for a missing and an out-of-scope object alike."""
    try:
        pk = decode(global_id, node_type)
    except InvalidId:
        raise BadId(field) from None
    model = node_type._meta.model
    found = node_type.scoped(model._default_manager.filter(pk=pk), info).first()
    if found is None:
        raise NotFound(field)
    return found


def get_writable(info, node_type, global_id, field="id"):
    """Like ``get_visible``, for a change: the object must be in the caller's *write* scope
    (第十四条: a former school reads the history but does not change it); anything else is
    NotFound, exactly like a missing object."""
    from cases import access

    try:
        pk = decode(global_id, node_type)
    except InvalidId:
        raise BadId(field) from None
    model = node_type._meta.model
    found = access.in_scope(info.context.user, model, model._default_manager.filter(pk=pk), actions=("change",)).first()
    if found is None:
        raise NotFound(field)
    return found


class ServiceMutation(graphene.Mutation):
    """Subclasses declare ``result`` and ``perform(info, **arguments)``; ``field_names`` maps the
    service's field names to the input's, so an error points at what the caller sent."""

    errors = graphene.List(graphene.NonNull(Error), required=True)
    field_names = {}

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **arguments):
        user = info.context.user
        if not (user.is_authenticated and user.is_active):
            return cls(errors=[error(UNAUTHENTICATED)])
        try:
            result = cls.perform(info, **arguments)
        except NotFound as exc:
            return cls(errors=[error(NOT_FOUND, field=exc.field)])
        except BadId as exc:
            return cls(errors=[error(INVALID_ID, field=exc.field)])
        except PermissionDenied:
            return cls(errors=[error(PERMISSION_DENIED)])
        except ValidationError as exc:
            return cls(errors=errors_from_validation(exc, cls.field_names))
        return cls(result=result, errors=[])

    @classmethod
    def perform(cls, info, **arguments):
        raise NotImplementedError
