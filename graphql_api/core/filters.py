"""django-filter pieces for GraphQL arguments: typed inputs, global IDs, ordering."""

import graphene
from django import forms
from django_filters import FilterSet, OrderingFilter
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter.filters import TypedFilter

from .errors import INVALID_ID, MESSAGES, ApiError
from .ids import InvalidId, decode
from .optimize import NODE_TYPES


class InputFilter(TypedFilter):
    """A filter whose GraphQL argument type is given (String, Int, Boolean, an enum…)."""

    field_class = forms.Field

    def __init__(self, input_type=graphene.String, **kwargs):
        super().__init__(input_type=input_type, **kwargs)


class NodeFilter(InputFilter):
    """A Relay global ID of ``node_type`` (class name); a malformed one is an ``invalid_id`` error."""

    def __init__(self, node_type, **kwargs):
        self.node_type = node_type
        super().__init__(input_type=graphene.ID, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        try:
            pk = decode(value, NODE_TYPES[self.node_type])
        except InvalidId:
            raise ApiError(MESSAGES[INVALID_ID], INVALID_ID) from None
        return super().filter(qs, pk)


class Ordering(OrderingFilter):
    """``orderBy: "-createdAt,number"``: camelCase field names, ``-`` for descending."""

    def __init__(self, *fields):
        names = ", ".join(to_camel_case(f) for f in fields)
        super().__init__(fields=fields, label=f"排序字段:{names}(前加 - 为倒序,可用逗号组合)")


class ApiFilterSet(FilterSet):
    """Base FilterSet: every filter is declared, nothing is guessed from the model."""

    class Meta:
        fields = []
