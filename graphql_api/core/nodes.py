"""The base of every model type: Relay node, scoped by cases/access.py, loaded by the optimizer,
paged without an automatic count(*)."""

import base64
import json
from functools import cached_property, cmp_to_key

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone
from graphene import relay
from graphene.utils.str_converters import to_snake_case
from graphene_django import DjangoObjectType
from graphene_django.filter import DjangoFilterConnectionField
from graphene_django.utils import maybe_queryset
from graphql_relay import cursor_to_offset, from_global_id, offset_to_cursor

from cases import access
from cases.bulk import any_of
from cases.edge import is_digits
from cases.prepared import planned_once

from .errors import ApiError
from .ids import PREPARED, InvalidId, fetch, frozen_tree, viewer_key
from .optimize import NODE_TYPES, node_tree, optimize


COUNT_LIMIT = 10_000


def estimated_count(queryset):
    """The planner's row estimate of ``queryset`` (PostgreSQL), else None."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class CountableConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(description=f"符合条件的总数(仅在请求时计算;超过{COUNT_LIMIT}条时为估计值)")
    total_count_is_estimate = graphene.Boolean(description=f"totalCount 是否为估计值(超过{COUNT_LIMIT}条时)")

    def _count(root):
        if not hasattr(root, "_counted"):
            parts = [getattr(part, "queryset", part) for part in getattr(root, "parts", None) or [root.iterable]]
            # never past the limit; keys only (no joined column, no annotation)
            parts = [part.order_by().values("pk") for part in parts]
            counts = [part[:COUNT_LIMIT + 1].count() for part in parts]
            exact = sum(counts)
            if all(n <= COUNT_LIMIT for n in counts):  # every part counted whole: exact
                root._counted = (exact, False)
            else:  # the planner's estimate, for the parts past the limit only (the others are exact)
                estimates = [estimated_count(part) if n > COUNT_LIMIT else n for part, n in zip(parts, counts)]
                root._counted = (exact, False) if None in estimates else (max(sum(estimates), exact), True)
        return root._counted

    def resolve_total_count(root, info):
        return CountableConnection._count(root)[0]

    def resolve_total_count_is_estimate(root, info):
        return CountableConnection._count(root)[1]


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
        if graphene_type is None or not issubclass(graphene_type, ScopedNode) or not is_digits(pk):
            raise ApiError("无效的ID", "invalid_id")
        if only_type and graphene_type is not only_type:
            raise ApiError("无效的ID", "invalid_id")
        return graphene_type.get_node(info, int(pk))


class ScopedNode(DjangoObjectType):
    """A model type: what the caller may see (``scoped``, default ``access.visible`` with the view
    action), loaded as the query asks (``related``, see core/optimize.py)."""

    related = {}
    # Whether one object by a looked-up value is read through a statement compiled once per shape
    # (core/ids.py): only for types whose queryset depends on nothing but the caller and the
    # selection (no clock, no rows read while building it).
    prepared = False

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
    def get_single_queryset(cls, queryset, info):
        """``get_queryset`` for fetching one object (``ids.fetch_one``)."""
        return cls.get_queryset(queryset, info)

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
        queryset = _filterset(filterset_class, data, queryset, info).filter_queryset(queryset.all())
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            queryset = queryset.order_by(*ordering, "pk")  # a stable order for offset cursors
        return queryset

    @classmethod
    def connection_resolver(cls, resolver, connection, default_manager, queryset_resolver, max_limit,
                            enforce_first_or_last, root, info, **args):
        iterable = resolver(root, info, **args)
        source = default_manager if iterable is None else iterable

        def build(part=None):
            """The scoped, filtered, ordered queryset: of the whole scope, or (students) of one part."""
            if part is None:
                return queryset_resolver(connection, source, info, args)
            with access.student_part(part):
                return queryset_resolver(connection, source, info, args)

        # A root list's statements (``_merged_keyset_rows``) are compiled once per shape: who
        # asks, the filters, the selection, and the day (a grade filter is a cohort by today).
        shape = None if iterable is not None else (
            connection._meta.node, viewer_key(info.context.user), frozen_tree(node_tree(info)), timezone.localdate(),
            repr(sorted((k, getattr(v, "value", v)) for k, v in args.items() if k not in PAGING_ARGS)))
        parts = _scope_parts(connection, info, build)
        if parts is None and shape is not None and connection._meta.node.prepared:
            parts = [_Part(None, build)]  # the whole scope as one part: its page compiled once per shape
        queryset = None if parts else build()  # with parts, the whole scope is built only if asked
        keys = _keyset_fields_of(shape, parts[0]) if parts else keyset_fields(queryset)
        if keys and not args.get("offset") and all(_is_keyset(args.get(c)) for c in ("after", "before")):
            args = {**args, **{c: _row_cursor_values(args[c], keys, parts or [queryset]) for c in ("after", "before")
                               if args.get(c)}}
            rows, has_previous, has_next = _merged_keyset_rows(parts or [queryset], keys, args, max_limit, build, shape)
            cursors = [keyset_cursor(row, keys) for row in rows]
        else:
            queryset = build() if queryset is None else queryset
            start, end, probe = _window(args, queryset.count, max_limit)
            try:
                rows = list(queryset[start:end + 1 if probe else end])
            except (ValueError, TypeError, ValidationError):
                raise ApiError("筛选条件无效", "invalid_filter") from None
            has_next = len(rows) > end - start if probe else args.get("before") is not None
            rows = rows[:end - start]
            has_previous = start > 0
            cursors = [offset_to_cursor(start + n) for n in range(len(rows))]
        connection._meta.node.prepare(rows, info)
        edges = [connection.Edge(node=row, cursor=cursor) for row, cursor in zip(rows, cursors)]
        page = connection(edges=edges, page_info=relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=has_previous, has_next_page=has_next,
        ))
        page.iterable, page.parts = queryset, parts
        return page


PAGING_ARGS = {"first", "last", "after", "before", "offset"}


def _filterset(filterset_class, data, queryset, info):
    """The validated filter set of these arguments, built once per request: a page of students
    filters each part of the scope and then its own rows with it (a filter set deep-copies its
    filters and validates its form when made)."""
    made = info.context.__dict__.setdefault("_xueji_filtersets", {})
    key = (filterset_class, repr(sorted(data.items())))
    if key not in made:
        filterset = filterset_class(data=data, queryset=queryset, request=info.context)
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise ApiError(f"筛选条件无效({problems})", "invalid_filter")
        made[key] = filterset
    return made[key]


class _Part:
    """One part of the caller's student scope (cases.access.student_parts): its Q, and its
    scoped, filtered queryset, built only when asked (a page compiled once per shape needs none)."""

    def __init__(self, q, build, ids=None, name=None, keyed=None):
        # q: a Q, or a function giving it (built only when the queryset is); ids: the part that
        # is a list of ids; name: what the part's SQL depends on besides the caller, when its Q
        # holds a subquery (whose repr would run it); keyed: a function giving querysets of
        # the part's keys in the default order, unfiltered (access.former_keys), else None
        self.q, self.build, self.ids, self.name, self.keyed = q, build, ids, name, keyed

    @cached_property
    def queryset(self):
        return self.build(self.q() if callable(self.q) else self.q)

    def key(self):
        """What the part's statement depends on besides the caller: its range, or "a list"."""
        return "ids" if self.ids is not None else self.name or repr(self.q)


def _scope_parts(connection, info, build):
    """Students are read part by part of the caller's scope (cases.access.student_parts): each
    an ordered index range, merged here. None for other models or a scope of one part."""
    if connection._meta.node._meta.model is not access.m.Student:
        return None
    ranges, rest = access.student_parts(info.context.user, split=True)
    parts = [_Part(q, build) for q in ranges]
    if isinstance(rest, list):
        parts += [_Part(any_of("pk", rest, "bigint"), build, ids=rest)] if rest else []
    else:  # who left the unit and the subjects of its cases: one subquery of the scope, built when compiled
        parts.append(_Part(rest, build, name="outside", keyed=access.former_keys(info.context.user)))
    return parts if len(parts) > 1 else None


_KEYSETS = {}  # shape → keyset_fields: the ordering of a shape's queryset (the filters decide it)


def _keyset_fields_of(shape, part):
    found = _KEYSETS.get(shape, part) if shape is not None else part
    if found is part:  # not known (a queryset's ordering may be None: no keyset)
        found = keyset_fields(part.queryset)
        if shape is not None:
            if len(_KEYSETS) > 1024:
                _KEYSETS.clear()
            _KEYSETS[shape] = found
    return found


def _merged_keyset_rows(parts, keys, args, max_limit, build, shape):
    """_keyset_rows of each part, merged in the keyed order. With several parts each gives only
    its keys (no joins over a part of a thousand former students), and the page's rows are then
    read by id (``build(part)``: the queryset of a part; here the part is the page's ids, which
    the scoped parts just gave, as the admin's list reads its page by key). Each statement is
    compiled once per ``shape`` (None: built and compiled for this page)."""
    if not isinstance(parts[0], _Part):
        return _keyset_rows(parts[0], keys, args, max_limit)
    if len(parts) == 1:
        return _part_keys(parts[0], keys, args, max_limit, shape, keys_only=False)
    results = [_part_keys(part, keys, args, max_limit, shape) for part in parts]
    page, has_previous, has_next = _merged(results, keys, args, max_limit)
    if not page:
        return [], has_previous, has_next

    def rows_of(ids):
        return build(any_of("pk", ids, "bigint"))

    ids = [row.pk for row in page]
    rows = PREPARED.rows((shape, "page"), rows_of, ids) if shape is not None else planned_once(rows_of(ids))
    loaded = {row.pk: row for row in rows}
    return [loaded[row.pk] for row in page if row.pk in loaded], has_previous, has_next


def _part_keys(part, keys, args, max_limit, shape, keys_only=True):
    """_keyset_rows of one part (its keys only, or its rows), as a statement compiled once per
    shape: the values that change between pages (the part's ids, the cursors' keys) are its
    parameters."""
    first, last, size, backwards = _page_size(args, max_limit)
    cursors = [(name, _cursor_keys(args[name], keys)) for name in ("after", "before") if args.get(name)]
    values = ((part.ids,) if part.ids is not None else ()) + tuple(v for _, found in cursors for v in found)

    def generic(values):
        values = list(values)
        queryset = part.queryset if part.ids is None else part.build(any_of("pk", values.pop(0), "bigint"))
        for name, _ in cursors:
            queryset = queryset.filter(_keyset_condition(keys, [values.pop(0) for _ in keys], backwards=name == "before"))
        return _keyset_query(queryset, keys, size, backwards, keys_only=keys_only)

    # the part's keys off its own index (a county's former students) for an unfiltered page
    keyed = keys_only and part.keyed is not None and _plain_forward(keys, args)
    build = (lambda values: _keys_union(part.keyed(), values, size)) if keyed else generic

    key = None if shape is None else (
        shape, "keys" if keys_only else "rows", part.key(), size, backwards, tuple(name for name, _ in cursors), keyed)
    rows = PREPARED.rows(key, build, values) if key is not None else planned_once(build(values))
    if keys_only:
        rows = [_Keys([field.attname for field, _ in keys], row) for row in rows]
    return _keyset_page(rows, args, first, last, size)


def _plain_forward(keys, args):
    """A page in the default order (registry number, id), read forwards, with no filter: what a
    part's keys read off its own index (``_Part.keyed``) can answer."""
    return ([(field.attname, descending) for field, descending in keys] == [("registry_number", False), ("id", False)]
            and not args.get("before") and args.get("last") is None
            and all(value in (None, "") for name, value in args.items() if name not in PAGING_ARGS))


def _keys_union(querysets, after, size):
    """The first ``size`` keys (registry number, id) of the union of ``querysets`` (each of those
    two columns), after the cursor's key ``after`` (empty: from the start): each read in its
    index order up to ``size`` (where the database cuts a part of a UNION: not SQLite), the
    union then cut to ``size``."""
    heads = []
    for queryset in querysets:
        number, pk = queryset.query.values_select
        if after:
            queryset = queryset.filter(Q(**{f"{number}__gt": after[0]}) | Q(**{number: after[0], f"{pk}__gt": after[1]}))
        if connections[queryset.db].features.supports_slicing_ordering_in_compound:
            heads.append(queryset.order_by(number, pk).distinct()[:size])
        else:
            heads.append(queryset.order_by())
    union = heads[0].union(*heads[1:])
    return union.order_by(*union.query.values_select)[:size]


def _merged(results, keys, args, max_limit):
    """The page of the parts' results together, in the keyed order, with (has_previous, has_next)."""

    def compare(a, b):
        for field, descending in keys:
            x, y = getattr(a, field.attname), getattr(b, field.attname)
            if x != y:
                return (1 if x > y else -1) * (-1 if descending else 1)
        return 0

    rows = sorted((row for result in results for row in result[0]), key=cmp_to_key(compare))
    first, last = args.get("first"), args.get("last")
    if last is not None and first is None:
        return rows[-last:] if last else [], any(r[1] for r in results) or len(rows) > last, args.get("before") is not None
    size = max_limit if first is None else first
    page = rows[:size]
    if last is not None:
        page = page[-last:] if last else []
    return page, args.get("after") is not None, any(r[2] for r in results) or len(rows) > size


# --- keyset cursors ----------------------------------------------------------------------------
# A page after row X is "rows whose ordering key is greater than X's": an index range, however
# deep the page (an offset walks every earlier row). Cursors carry the key; offset cursors
# ("arrayconnection:N", and ``offset``) are still understood, for orderings that cannot be keyed.
KEYSET = "keyset:"
# A cursor whose key holds a personal value (a Student's registry number: a G number is the ID
# number, cases/access.py) carries the row's id instead, turned back into its key values within
# the caller's scoped, filtered queryset (one indexed look-up): the cursor reveals nothing.
KEYROW = "keyrow:"


def _personal_keys(keys):
    return any(field.name in access.PERSONAL_FIELDS.get(field.model, ()) for field, _ in keys)


def keyset_fields(queryset):
    """[(field, descending)] of the queryset's ordering when it can be keyed: plain, non-null
    columns of the model ending with the primary key; else None."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    keys = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item.lstrip("-"):
            return None
        name = item.lstrip("-")
        field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
        if getattr(field, "null", True) or not getattr(field, "concrete", False):
            return None
        keys.append((field, item.startswith("-")))
    if not keys or keys[-1][0] != queryset.model._meta.pk:
        return None
    return keys


def _is_keyset(cursor):
    return cursor is None or _decode(cursor).startswith((KEYSET, KEYROW))


def _row_cursor_values(cursor, keys, querysets):
    """A keyrow cursor as the keyset cursor of its row (within the caller's scoped, filtered
    list: one of ``querysets``, the parts of the scope); others unchanged."""
    text = _decode(cursor)
    if not text.startswith(KEYROW):
        return cursor
    pk = text[len(KEYROW):]
    names = [field.attname for field, _ in keys]
    found = None
    for queryset in (getattr(part, "queryset", part) for part in querysets) if is_digits(pk) else ():
        found = planned_once(queryset.prefetch_related(None).order_by().filter(pk=int(pk)).values_list(*names)[:1])
        if found:
            break
    if not found:  # not (or no longer) in the caller's list: never a hint of where it sits
        raise ApiError("无效的分页游标", "invalid_cursor")
    row = keys[0][0].model(**dict(zip(names, found[0])))
    values = [field.value_to_string(row) for field, _ in keys]
    return base64.b64encode((KEYSET + json.dumps(values, ensure_ascii=False)).encode()).decode()


def _decode(cursor):
    try:
        return base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeError):
        raise ApiError("无效的分页游标", "invalid_cursor") from None


def keyset_cursor(row, keys):
    if _personal_keys(keys):
        return base64.b64encode(f"{KEYROW}{row.pk}".encode()).decode()
    values = [field.value_to_string(row) for field, _ in keys]
    return base64.b64encode((KEYSET + json.dumps(values, ensure_ascii=False)).encode()).decode()


def _cursor_keys(cursor, keys):
    """The key values a keyset cursor carries."""
    try:
        values = json.loads(_decode(cursor)[len(KEYSET):])
        return [field.to_python(value) for (field, _), value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, ValidationError):
        raise ApiError("无效的分页游标", "invalid_cursor") from None


def _keyset_condition(keys, values, backwards=False):
    """Q for rows after (or, ``backwards``, before) the row of these key values in the keyed order."""
    condition = Q(pk__in=[])
    for index, (field, descending) in enumerate(keys):
        later = "lt" if descending != backwards else "gt"
        step = Q(**{f"{f.attname}": v for (f, _), v in zip(keys[:index], values[:index])})
        condition |= step & Q(**{f"{field.attname}__{later}": values[index]})
    return condition


class _Keys:
    """A row of a part's page read as its ordering key only (``_part_keys``)."""

    def __init__(self, names, values):
        self.__dict__.update(zip(names, values))
        self.pk = values[-1]


def _page_size(args, max_limit):
    """(first, last, rows to read, whether read backwards from the end) of a keyset page."""
    first, last = args.get("first"), args.get("last")
    for value in (first, last):
        if value is not None and value < 0:
            raise ApiError("分页参数不能为负数", "invalid_page")
    if (first or 0) > max_limit or (last or 0) > max_limit:
        raise ApiError(f"每页最多{max_limit}条", "page_too_large")
    if last is not None and first is None:  # the end of the range: read it backwards
        return first, last, last + 1, True
    return first, last, (max_limit if first is None else first) + 1, False


def _keyset_query(queryset, keys, size, backwards, keys_only=False):
    if keys_only:
        queryset = queryset.values_list(*[field.attname for field, _ in keys])
    if backwards:
        queryset = queryset.order_by(*[("" if descending else "-") + field.name for field, descending in keys])
    return queryset[:size]


def _keyset_page(rows, args, first, last, size):
    """(page, has_previous, has_next) from the ``size`` rows read (one more than the page)."""
    after, before = args.get("after"), args.get("before")
    if last is not None and first is None:
        return rows[:last][::-1], len(rows) > last, before is not None
    has_next = len(rows) == size or before is not None
    rows = rows[:size - 1]
    if last is not None:
        rows = rows[-last:] if last else []
    return rows, after is not None, has_next


def _keyset_rows(queryset, keys, args, max_limit):
    first, last, size, backwards = _page_size(args, max_limit)
    for name in ("after", "before"):
        if args.get(name):
            queryset = queryset.filter(_keyset_condition(keys, _cursor_keys(args[name], keys), backwards=name == "before"))
    return _keyset_page(planned_once(_keyset_query(queryset, keys, size, backwards)), args, first, last, size)
