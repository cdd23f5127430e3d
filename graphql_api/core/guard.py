"""Every join passes the root's check: a field that returns a model object (or a list of them)
returns only what the caller could fetch at the root through the same type's ``scoped`` (that
is, cases/access.py); anything else is null (or left out of the list).

Checks are batched: when a page (a connection or a list) resolves, the objects it already
loaded for the selection below it (``related`` joins and prefetches, see optimize.py) are
checked with one query per type, so a page of 10 or of 100 costs the same queries.
"""

import functools
from collections import defaultdict

from django.db.models import Model
from graphene.utils.str_converters import to_snake_case
from graphql import GraphQLList, GraphQLNonNull

from .optimize import NODE_TYPES, Join, Many, node_tree


@functools.cache  # per GraphQL type of the schema: asked for every field resolved
def _node_type(graphql_type):
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if graphene_type is None:
        return None
    if graphene_type.__name__ in NODE_TYPES and NODE_TYPES[graphene_type.__name__] is graphene_type:
        return graphene_type
    node = getattr(getattr(graphene_type, "_meta", None), "node", None)  # a connection
    return node if node is not None and NODE_TYPES.get(node.__name__) is node else None


def _graphene_node(graphene_type):
    """The node type a graphene field's type names (through NonNull and List), or None."""
    while hasattr(graphene_type, "of_type"):
        graphene_type = graphene_type.of_type
    return graphene_type if NODE_TYPES.get(getattr(graphene_type, "__name__", None)) is graphene_type else None


def _cache(info):
    found = info.context.__dict__.get("_xueji_visible")
    return found if found is not None else info.context.__dict__.setdefault("_xueji_visible", defaultdict(dict))


def _check(info, node_type, objects):
    """Fill the cache for ``objects`` of ``node_type``: one query for the ones not yet known."""
    known = _cache(info)[node_type]
    unknown = {obj.pk for obj in objects if obj.pk not in known}
    if unknown:
        model = node_type._meta.model
        seen = set(node_type.scoped(model._default_manager.filter(pk__in=unknown), info).values_list("pk", flat=True))
        known.update({pk: pk in seen for pk in unknown})
    return known


def _cached_path(obj, path):
    """The object at ``path`` if already loaded (select_related), else None: never a query."""
    for part in path.split("__"):
        field = obj._meta.get_field(part)
        if not field.is_cached(obj):
            return None
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


@functools.cache
def _field_target(node_type, name):
    """(graphene field, the node type it returns or None) of ``name`` (a GraphQL field name)."""
    field = node_type._meta.fields.get(to_snake_case(name))
    return field, (_graphene_node(field.type) if field is not None else None)


def _collect(rows, node_type, tree, found, implications):
    """Gather what ``rows`` loaded for ``tree``: objects to check by query (``found``, per type),
    and objects decided without a query from their parent (``implications``, in the order
    parents come before their children; see optimize.Join). One pass per field over all rows."""
    for name, subtree in tree.items():
        _, target = _field_target(node_type, name)
        if target is None:
            continue
        model = target._meta.model
        spec = node_type.related.get(name)
        children = []
        attr = getattr(node_type, "loaded_attrs", {}).get(name)  # set by the type's prepare()
        for row in rows if attr else ():
            value = getattr(row, attr, None)
            children += [c for c in (value if isinstance(value, list) else [value]) if isinstance(c, model)]
        for spec_item in () if spec is None or attr else spec if isinstance(spec, tuple) else (spec,):
            if isinstance(spec_item, Join):
                decided = []
                for row in rows:
                    child = _cached_path(row, spec_item.path)
                    if not isinstance(child, model):
                        continue
                    if spec_item.implied or spec_item.check:
                        implications.append((node_type, row, target, child, spec_item))
                        decided.append(child)
                    else:
                        children.append(child)
                if decided:  # their own joins, after them (parents first)
                    _collect(decided, target, subtree, found, implications)
            elif isinstance(spec_item, Many):
                for row in rows:
                    children += [c for c in getattr(row, spec_item.to_attr, None) or [] if isinstance(c, model)]
        if children:
            found[target].extend(children)
            _collect(children, target, subtree, found, implications)


def warm(info, node_type, rows, scoped=False):
    """Check ``rows`` (already ``scoped`` for a connection's page) and what they loaded for the
    selection below, one query per type (objects whose visibility their parent decides cost
    none); then let each type batch its own per-object rules (``after_check``: whose personal
    data is shown whole)."""
    if scoped:
        _cache(info)[node_type].update({row.pk: True for row in rows})
    found, implications = defaultdict(list), []
    found[node_type].extend(rows)
    _collect(rows, node_type, node_tree(info), found, implications)
    for found_type, objects in found.items():
        _check(info, found_type, objects)
    decided = defaultdict(list)
    allowed = {}  # per target type: asked once (each has_perm walks the auth backends)
    for parent_type, parent, target, child, spec in implications:  # parents first
        known = _cache(info)[target]
        # Implied by the parent's scope, but never past the model permission the root asks for
        # (the exam authority reads registrations, not classes).
        if target not in allowed:
            model = target._meta.model
            allowed[target] = info.context.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        visible = allowed[target] and bool(_cache(info)[parent_type].get(parent.pk)) and (
            spec.implied or bool(spec.check(parent, child, info)))
        if visible and known.get(child.pk) is not False:  # a query's "no" stands
            known[child.pk] = True
        elif child.pk not in known:
            continue  # not decided here: checked by query when it is resolved (below)
        decided[target].append(child)
    for found_type in {*found, *decided}:
        hook = getattr(found_type, "after_check", None)
        if hook:
            known = _cache(info)[found_type]
            hook([obj for obj in [*found.get(found_type, []), *decided.get(found_type, [])] if known.get(obj.pk)], info)


def guarded(result, info):
    """A field's ``result`` as the caller may see it: model objects outside the caller's scope
    become null (or leave the list); a page's joined objects are checked with the page."""
    node_type = _node_type(info.return_type)
    if node_type is None or result is None:
        return result
    model = node_type._meta.model
    edges = getattr(result, "edges", None)
    if edges is not None:  # a connection: rows are scoped already; check what they joined
        warm(info, node_type, [edge.node for edge in edges], scoped=True)
        return result
    if isinstance(result, Model):
        if not isinstance(result, model):
            return result
        if result.pk not in _cache(info)[node_type]:
            warm(info, node_type, [result])
        return result if _cache(info)[node_type].get(result.pk) else None
    if isinstance(result, (list, tuple)):
        rows = [row for row in result if isinstance(row, model)]
        if any(row.pk not in _cache(info)[node_type] for row in rows):
            warm(info, node_type, rows)
        known = _cache(info)[node_type]
        return [row for row in result if not isinstance(row, model) or known.get(row.pk)]
    return result
