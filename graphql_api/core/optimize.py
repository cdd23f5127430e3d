"""Load what a query asks for in a constant number of SQL queries.

Each node type declares ``related``: for a GraphQL field, how its data is loaded — ``Join`` (a
forward foreign key: ``select_related``), ``Many`` (a reverse relation: one ``Prefetch`` into an
attribute) or ``Needs`` (a computed field reading related rows). ``optimize`` walks the
selection of the current field (fragments included) and applies exactly what is asked, so a
page of 10 or of 100 runs the same queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode

NODE_TYPES = {}  # class name → node type, filled by ScopedNode subclasses


@dataclass(frozen=True)
class Join:
    path: str
    type: str | None = None
    # Whether the joined object is visible is decided without a query (core/guard.py):
    # ``check(parent, child, info) -> bool``, or ``implied`` when a visible parent implies a
    # visible child (a registration in scope is at a school in scope, in one of its classes).
    check: Callable = field(default=None, compare=False)
    implied: bool = False


@dataclass(frozen=True)
class Many:
    path: str
    type: str | None
    to_attr: str
    queryset: Callable = None  # (info) → QuerySet


@dataclass(frozen=True)
class Needs:
    joins: tuple = ()
    prefetch: tuple = field(default_factory=tuple)


def _merge(tree, selection_set, fragments):
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            _merge(tree.setdefault(selection.name.value, {}), selection.selection_set, fragments)
        elif isinstance(selection, InlineFragmentNode):
            _merge(tree, selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            _merge(tree, fragments[selection.name.value].selection_set, fragments)


def selection_tree(info):
    """{graphql field name: subtree} of what the current field selects."""
    tree = {}
    for node in info.field_nodes:
        _merge(tree, node.selection_set, info.fragments)
    return tree


def node_tree(info):
    """The selection of the objects themselves: under ``edges.node`` for a connection."""
    tree = selection_tree(info)
    if "edges" in tree or "pageInfo" in tree or "totalCount" in tree:
        return tree.get("edges", {}).get("node", {})
    return tree


def _union(target, tree):
    for name, subtree in tree.items():
        _union(target.setdefault(name, {}), subtree)
    return target


def plan(node_type, tree, info, prefix=""):
    """(select_related paths, prefetches) for ``tree`` over ``node_type``. Fields sharing one
    spec (``evidence`` and ``missingEvidence`` both read the evidence) share one load."""
    wanted = {}
    for name, subtree in tree.items():
        spec = node_type.related.get(name)
        for item in spec if isinstance(spec, tuple) else (spec,) if spec else ():
            _union(wanted.setdefault(item, {}), subtree)
    joins, prefetches = set(), []
    for spec, subtree in wanted.items():
        if isinstance(spec, Join):
            path = prefix + spec.path
            joins.add(path)
            if spec.type:
                more_joins, more = plan(NODE_TYPES[spec.type], subtree, info, path + "__")
                joins |= more_joins
                prefetches += more
        elif isinstance(spec, Many):
            queryset = spec.queryset(info)
            if spec.type:
                queryset = optimize(queryset, NODE_TYPES[spec.type], subtree, info)
            prefetches.append(Prefetch(prefix + spec.path, queryset=queryset, to_attr=spec.to_attr))
        elif isinstance(spec, Needs):
            joins |= {prefix + path for path in spec.joins}
            prefetches += [prefix + path for path in spec.prefetch]
    return joins, prefetches


def optimize(queryset, node_type, tree, info):
    joins, prefetches = plan(node_type, tree, info)
    if joins:
        queryset = queryset.select_related(*sorted(joins))
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    return queryset


def loaded(root, attr, fallback):
    """A prefetched list if the optimizer loaded it, else ``fallback()`` (one object's query)."""
    value = getattr(root, attr, None)
    if value is not None:
        return value
    return list(fallback() if callable(fallback) else fallback)
