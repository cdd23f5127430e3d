"""Parsing and validating GraphQL documents, cached on the normalised document.

The validation cache is keyed on ``print_ast`` of the parsed document, so whitespace, comments
and commas do not make a known query look new (they did when the key was the raw text). Parsing
is bounded (a token budget; anonymous callers are size-limited before we get here) and cached
by raw text too, for the common case of a front-end sending the very same text again.

The cost rule runs alone first: a document over budget is refused before graphql-core's
standard rules (some of which are quadratic in the number of fields) ever see it.
"""

import threading
from collections import OrderedDict
from functools import lru_cache

from graphene.validation import DisableIntrospection
from graphql import GraphQLError, parse, print_ast, specified_rules
from graphql.validation import validate

from .validation import CostLimitRule

MAX_TOKENS = 5000


@lru_cache(maxsize=256)
def parse_document(query):
    """(document, normalised text) of a query text, or (None, error)."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=False)
    except GraphQLError as error:
        return None, error
    return document, print_ast(document)


class _Verdicts:
    """A small LRU of validation verdicts (thread-safe; one per worker process)."""

    def __init__(self, size):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
            self.misses += 1
            return None

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()
            self.hits = self.misses = 0


verdicts = _Verdicts(512)


def _validate(schema, document, introspection):
    errors = validate(schema.graphql_schema, document, [CostLimitRule], max_errors=20)
    if errors:
        return tuple(errors)
    rules = [*specified_rules] + ([] if introspection else [DisableIntrospection])
    return tuple(validate(schema.graphql_schema, document, rules, max_errors=20))


def parse_and_validate(schema, query, introspection, limits=None):
    """(document, errors) for a query text. ``limits`` (the settings the rules read) are part of
    the key, so changing them never serves a stale verdict. Errors of a cached verdict keep the
    locations of the first text that produced it (the same document up to layout)."""
    document, normalised = parse_document(query)
    if document is None:
        return None, (normalised,)
    key = (id(schema), normalised, introspection, limits)
    errors = verdicts.get(key)
    if errors is None:
        errors = _validate(schema, document, introspection)
        verdicts.put(key, errors)
    return document, errors


def cache_clear():
    parse_document.cache_clear()
    verdicts.clear()
