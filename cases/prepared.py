"""Hot read paths compiled to SQL once per shape, then run again with a new value.

A scoped queryset is a tree of Q objects and subqueries: building it and compiling it costs
Django far more Python than the database spends running it (about a thousand calls for one
student read through the API, against a statement of a fraction of a millisecond). On a hot
path whose SQL differs between calls only by the one value looked up (a token's prefix, a
registry number), ``PreparedReads`` keeps the compiled statement per *shape* and runs it with
the new value: the same SQL, the same rows, the same model objects (``select_related`` and
annotations included).

The caller's key must name everything the queryset is built from besides that value (for a
scoped read: the user, their scope and permissions, and what the query selects). A queryset
that is not one statement (an empty scope, prefetches) or that read rows while it was built is
run as usual, each time; a change of settings forgets every statement.

On PostgreSQL the statement is also a server-side prepared statement of the connection, so the
planner's work (longer than the run for a scoped read with its subqueries) is done once too. The
shape's own constants (the scope's codes, a filter's prefix) are written into its text as
literals, quoted by psycopg; only the values stay parameters. The planner then sees what it
plans for (a LIKE prefix it can turn into an index range, a range that covers the province),
and its generic plan, reused on every run, costs what a fresh one would: with every constant a
parameter, PostgreSQL re-planned some statements on each run (~2 ms for the province's page)
and could settle on a generic plan unfit for the constants (a LIKE without its prefix).
"""

import functools
import re
import threading
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connection, connections

# Stand-ins for the looked-up value while the statement is compiled, found again among the
# statement's parameters (each place the value goes). Several values (a tuple) take one
# stand-in each, told apart by their position.
_STAND_INS = {str: "\x00xueji-prepared\x00", int: -7_364_213_909_117,
              list: [-7_364_213_909_119]}  # an array parameter (cases.bulk.any_of on PostgreSQL)
_UNPREPARED = object()


def _stand_in(value, position):
    found = _STAND_INS.get(type(value))
    if found is None or not position:
        return found
    if isinstance(found, str):
        return f"{found}{position}\x00"
    if isinstance(found, int):
        return found - 16 * position
    return [found[0] - 16 * position]


class _Statement:
    def __init__(self, queryset, compiler, sql, params, slots):
        # slots: (parameter index, value position)
        self.queryset, self.compiler, self.sql, self.params, self.slots = queryset, compiler, sql, params, slots

    def rows(self, values):
        params = list(self.params)
        for slot, position in self.slots:
            # as compiled: a list parameter keeps its kind (cases.bulk.Ids, an array literal)
            params[slot] = type(params[slot])(values[position]) if isinstance(params[slot], list) else values[position]
        sql = self.sql
        compiler = _shallow_copy(self.compiler)  # select, klass_info… as compiled
        compiler.connection = connections[self.compiler.using]  # this thread's
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return _evaluate(self.queryset, compiler)


def planned_once(queryset):
    """The rows of ``queryset``; on PostgreSQL run as a prepared statement of the connection, so
    that a statement of the same text (the values travel apart) is planned once, not per call —
    for the statements of a page whose plans cost more than their runs (the scope's subqueries,
    an array of a county's former students)."""
    return _evaluate(queryset, queryset.query.get_compiler(using=queryset.db))


def _evaluate(queryset, compiler):
    """Django's own iterable over ``queryset``, with ``compiler`` giving the statement; on
    PostgreSQL the statement runs prepared."""
    if compiler.connection.vendor == "postgresql":
        compiler.execute_sql = lambda *args, **kwargs: _run_prepared(compiler)
    queryset = _shallow_copy(queryset)
    queryset._query = _Compiled(compiler)
    return list(queryset)


def _run_prepared(compiler):
    """``compiler.execute_sql`` for a statement run by PostgreSQL as a prepared statement: parsed
    and planned once per connection (planning a scoped read takes longer than running it)."""
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # as Django's own execute_sql answers it
        return iter([])
    connection = compiler.connection
    connection.ensure_connection()
    raw = connection.connection
    factory, raw.cursor_factory = raw.cursor_factory, _preparing_cursor()
    try:
        cursor = connection.cursor()  # Django's wrapper: query log, execute wrappers, error mapping
    finally:
        raw.cursor_factory = factory
    with cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    log = connection.queries_log if connection.queries_logged else None
    if log and log[-1]["sql"] is None:  # Django reads no text back from a prepared execution
        log[-1]["sql"] = connection.ops.compose_sql(sql, params)
    if compiler.has_extra_select:
        rows = [row[:compiler.col_count] for row in rows]
    return [rows]


@functools.cache
def _preparing_cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor  # psycopg 3 only

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _shallow_copy(obj):
    # Not copy.copy: a QuerySet's pickling hook would evaluate it (with the stand-in value).
    new = object.__new__(type(obj))
    new.__dict__ = obj.__dict__.copy()
    return new


class _Compiled:
    """Stands in for a queryset's ``query``: hands Django's iterable the compiled statement, and
    answers everything else (the selected names of ``values_list``…) as the query does."""

    def __init__(self, compiler):
        self.compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler

    def __getattr__(self, name):
        return getattr(self.compiler.query, name)


def _prepare(queryset, stand_ins):
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        return None
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = [(i, position) for i, param in enumerate(params) for position, stand_in in enumerate(stand_ins)
             if (type(param) is type(stand_in) or isinstance(stand_in, list) and isinstance(param, list))
             and param == stand_in]
    for position, stand_in in enumerate(stand_ins):
        # each value must reach the statement as itself: not transformed (a LIKE pattern), not inlined
        if position not in {p for _, p in slots} or str(stand_in) in sql:
            return None
    if compiler.connection.vendor == "postgresql":
        sql, params, slots = _with_literals(compiler.connection, sql, params, slots)
    return _Statement(queryset, compiler, sql, tuple(params), slots)


_PLACEHOLDER = re.compile(r"%%|%s")


def _with_literals(connection, sql, params, slots):
    """``sql`` with every parameter but the slots' written in as a literal (quoted by psycopg,
    its percent signs doubled for the placeholders that stay); the slots renumbered."""
    from psycopg.sql import Literal

    connection.ensure_connection()
    raw, kept, renumbered, index = connection.connection, [], [], iter(range(len(params)))
    slot_of = dict(slots)

    def replace(match):
        if match.group() == "%%":
            return "%%"
        i = next(index)
        if i in slot_of:
            renumbered.append((len(kept), slot_of[i]))
            kept.append(params[i])
            return "%s"
        return Literal(params[i]).as_string(raw).replace("%", "%%")

    sql = _PLACEHOLDER.sub(replace, sql)
    return sql, kept, renumbered


class PreparedReads:
    """Compiled statements by shape: the ``size`` latest shapes (a shape is per user for scoped
    reads, so a process serving many users recompiles the oldest now and then)."""

    def __init__(self, size=1024):
        self.size = size
        self._statements = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def rows(self, key, build, value):
        """The rows of ``build(value)``, a queryset whose SQL depends only on ``key`` and
        ``value`` (a str, an int, or a list that reaches SQL as one array parameter; or a tuple
        of such values, ``build`` then taking them as a tuple; an empty tuple for none)."""
        values = value if isinstance(value, tuple) else (value,)
        stand_ins = tuple(_stand_in(v, position) for position, v in enumerate(values))
        statement = self._statements.get(key) if None not in stand_ins else _UNPREPARED
        if statement is None:
            read = []  # a queryset built from rows read while building it is not one shape

            def note(execute, sql, params, many, context):
                read.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(note):
                statement = _prepare(build(stand_ins if isinstance(value, tuple) else stand_ins[0]), stand_ins)
            statement = statement if statement and not read else _UNPREPARED
            with self._lock:
                self._statements[key] = statement
                while len(self._statements) > self.size:
                    self._statements.popitem(last=False)
        if statement is _UNPREPARED:
            return list(build(value))
        return statement.rows(values)

    def clear(self):
        with self._lock:
            self._statements.clear()


_ALL = []


def _forget_all(**kwargs):
    # A scope can read settings (the province's code) while it is built.
    for prepared in _ALL:
        prepared.clear()


setting_changed.connect(_forget_all)
