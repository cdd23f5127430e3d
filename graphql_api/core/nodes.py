"""The base of every model type: Relay node, scoped by cases/access.py, loaded by the optimizer,
paged without an automatic count(*)."""

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError
from graphene import relay
from graphene.utils.str_converters import to_snake_case
from graphene_django import DjangoObjectType
from graphene_django.filter import DjangoFilterConnectionField
from graphene_django.utils import maybe_queryset
from graphql_relay import cursor_to_offset, from_global_id, offset_to_cursor

from cases import access

from .errors import ApiError
from .ids import InvalidId, fetch
from .optimize import NODE_TYPES, node_tree, optimize


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(description="符合条件的总数(仅在请求时计算)")

    def resolve_total_count(root, info):
        return root.iterable.count()


class Node(relay.Node):
    """``node(id:)``: null for a missing or out-of-scope object, an ``invalid_id`` error for a
    malformed one."""

    class Meta:
        name = "Node"

    @classmethod
    def get_node_from_global_id(cls, info, global_id, only_type=None):
        try:
            type_name, pk = from_global_id(global_id)
        except (ValueError, TypeError):  # bad base64 and bad unicode are ValueErrors
            raise ApiError("无效的ID", "invalid_id") from None
        graphene_type = info.schema.get_type(type_name)
        graphene_type = getattr(graphene_type, "graphene_type", None)
        if graphene_type is None or not issubclass(graphene_type, ScopedNode) or not pk.isdigit():
            raise ApiError("无效的ID", "invalid_id")
        if only_type and graphene_type is not only_type:
            raise ApiError("无效的ID", "invalid_id")
        return graphene_type.get_node(info, int(pk))


class ScopedNode(DjangoObjectType):
    """A model type: what the caller may see (``scoped``, default ``access.visible`` with the view
    action), loaded as the query asks (``related``, see core/optimize.py)."""

    related = {}

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        options.setdefault("interfaces", (Node,))
        options.setdefault("connection_class", CountableConnection)
        options.setdefault("convert_choices_to_enum", False)
        super().__init_subclass_with_meta__(**options)
        NODE_TYPES[cls.__name__] = cls

    @classmethod
    def scoped(cls, queryset, info):
        return access.visible(info.context.user, cls._meta.model, queryset=queryset)

    @classmethod
    def get_queryset(cls, queryset, info):
        return optimize(cls.scoped(maybe_queryset(queryset), info), cls, node_tree(info), info)

    @classmethod
    def prepare(cls, objects, info, single=False):
        """Batch-load, for a page of objects (or one, ``single``), what a plain prefetch cannot
        express."""

    @classmethod
    def get_node(cls, info, id):
        try:
            return fetch(info, cls, Node.to_global_id(cls._meta.name, id))
        except InvalidId:
            return None


def _offset(cursor):
    if cursor is None:
        return None
    offset = cursor_to_offset(cursor)
    if offset is None or offset < 0:
        raise ApiError("无效的分页游标", "invalid_cursor")
    return offset


def _window(args, count, max_limit):
    """[start, end) of the page and whether one row more must be read to know hasNextPage."""
    first, last, offset = args.get("first"), args.get("last"), args.get("offset") or 0
    for value in (first, last, offset):
        if value is not None and value < 0:
            raise ApiError("分页参数不能为负数", "invalid_page")
    if (first or 0) > max_limit or (last or 0) > max_limit:
        raise ApiError(f"每页最多{max_limit}条", "page_too_large")
    after, before = _offset(args.get("after")), _offset(args.get("before"))
    start = (0 if after is None else after + 1) + offset
    end = before
    if first is None and last is None:
        first = max_limit
    probe = False
    if first is not None:
        end = start + first if end is None else min(end, start + first)
        probe = before is None
    if last is not None:
        if end is None:
            end = count()
        start = max(start, end - last)
        probe = False
    return start, max(start, end), probe


class ScopedConnectionField(DjangoFilterConnectionField):
    """A Relay connection over a scoped queryset with a django-filter FilterSet and ordering;
    pages of at most ``max_limit`` (100); no count(*) unless ``totalCount`` is asked."""

    def __init__(self, type_, *args, **kwargs):
        kwargs.setdefault("max_limit", settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100))
        super().__init__(type_, *args, **kwargs)

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, filtering_args, filterset_class):
        queryset = connection._meta.node.get_queryset(iterable, info)
        data = {k: getattr(v, "value", v) for k, v in args.items() if k in filtering_args}
        if data.get("order_by"):
            data["order_by"] = ",".join(to_snake_case(item.strip()) for item in data["order_by"].split(","))
        filterset = filterset_class(data=data, queryset=queryset, request=info.context)
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise ApiError(f"筛选条件无效({problems})", "invalid_filter")
        queryset = filterset.qs
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            queryset = queryset.order_by(*ordering, "pk")  # a stable order for offset cursors
        return queryset

    @classmethod
    def connection_resolver(cls, resolver, connection, default_manager, queryset_resolver, max_limit,
                            enforce_first_or_last, root, info, **args):
        iterable = resolver(root, info, **args)
        queryset = queryset_resolver(connection, default_manager if iterable is None else iterable, info, args)
        start, end, probe = _window(args, queryset.count, max_limit)
        try:
            rows = list(queryset[start:end + 1 if probe else end])
        except (ValueError, TypeError, ValidationError):
            raise ApiError("筛选条件无效", "invalid_filter") from None
        has_next = len(rows) > end - start if probe else args.get("before") is not None
        rows = rows[:end - start]
        connection._meta.node.prepare(rows, info)
        edges = [connection.Edge(node=row, cursor=offset_to_cursor(start + n)) for n, row in enumerate(rows)]
        page = connection(edges=edges, page_info=relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=start > 0, has_next_page=has_next,
        ))
        page.iterable = queryset
        return page
