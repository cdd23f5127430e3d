"""Many rows of one model in one statement, for the set-based services (an intake of ten
thousand, a range of auxiliary numbers, their audit entries).

On PostgreSQL the rows go through COPY: the ids are reserved from the table's sequence first
(one query), so the objects come back with their primary keys and rows that refer to each other
(a student and its current registration, under deferred foreign keys) are written without an
UPDATE afterwards; the values are adapted by psycopg in C rather than prepared field by field by
Django's INSERT compiler, which at ten thousand rows cost more than the database's own work.
Elsewhere (SQLite) it is ``bulk_create``. Like ``bulk_create``: no ``save()``, no signals;
``auto_now_add`` and defaults are applied.
"""

import json
import time

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

INSERT_BATCH = 2000
# Below this, Django's INSERT (one statement) beats the id reservation and the COPY (two).
COPY_FROM = 500


def reserve_ids(model, count):
    """``count`` fresh primary keys from the table's sequence (PostgreSQL), in one query."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, count])
        return [row[0] for row in cursor.fetchall()]


class Ids(list):
    """A list of integers sent to PostgreSQL as one array literal (see ``_IdsDumper``)."""


def _register_ids_dumper():
    """psycopg writes a list parameter element by element in Python, matching each against a
    regular expression for quoting: a county's thousand former students took a millisecond.
    Integers need no quoting: their array literal is one join."""
    from psycopg import adapters
    from psycopg.adapt import Dumper

    class _IdsDumper(Dumper):
        def dump(self, obj):
            return ("{" + ",".join(map(str, map(int, obj))) + "}").encode()

    adapters.register_dumper(Ids, _IdsDumper)


try:
    _register_ids_dumper()
except ImportError:  # no psycopg: no PostgreSQL either
    pass


def any_of(field, values, cast):
    """Q: ``field`` among ``values``. On PostgreSQL one array parameter (``cast``: its element
    type, e.g. bigint, text) rather than a placeholder per value: psycopg splits a statement of
    ten thousand placeholders slowly, and the server parses each; elsewhere a plain IN."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(values)})
    values = Ids(values) if cast in ("bigint", "int", "integer") else list(values)
    return Q(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{cast}[])", [values])})


def _adapter(field):
    """value → what COPY takes for the column, or None when psycopg adapts the value as it is."""
    if isinstance(field, models.JSONField):
        # One encoder (json.dumps(cls=…) makes one per call); COPY's text form takes the JSON
        # text for a jsonb column as it is.
        dumps = (field.encoder or DjangoJSONEncoder)().encode
        return lambda value: None if value is None else dumps(value)
    return None


def bulk_insert(model, objs):
    """Insert ``objs`` (unsaved instances of ``model``); they get their primary keys. Returns them."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model._base_manager.bulk_create(objs, batch_size=INSERT_BATCH)
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    missing = [obj for obj in objs if obj.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing))):
        obj.pk = pk
    for field in fields:  # auto_now_add and the like, as the INSERT compiler would
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    _copy(meta, fields, ([getattr(obj, f.attname) for f in fields] for obj in objs), len(objs))
    alias = connection.alias  # a proxy's look-up, not one per object
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    return objs


def copy_rows(model, rows, *, reserve=True):
    """Insert ``rows`` given as {attname: value} dicts (the same keys in each) with one COPY; rows
    without an ``id`` get one reserved first, set in the dict, in order (a row may carry one
    reserved earlier: a registration referred to by its student). ``reserve=False``: the rows
    carry no ``id`` and none is wanted back; the table's identity numbers them in row order (one
    statement fewer). Returns the rows, or None (nothing written) when not on PostgreSQL or too
    few rows for a COPY to pay."""
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        return None
    meta = model._meta
    pk = meta.pk.attname
    fields = [meta.get_field(name) for name in rows[0] if name != pk]
    if reserve:
        fields.insert(0, meta.pk)
        missing = [row for row in rows if row.get(pk) is None]
        for row, value in zip(missing, reserve_ids(model, len(missing))):
            row[pk] = value
    _copy(meta, fields, ([row[f.attname] for f in fields] for row in rows), len(rows))
    return rows


def blank_row(model, now):
    """A new row of ``model`` as {attname: value}, before the caller's values: every column but
    the key at its default, ``auto_now(_add)`` at ``now`` (one moment for the batch, as its
    transaction has). Built once per batch and copied per row (``{**blank, ...}``), so a
    callable default, which would give every row one value, is refused."""
    row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            if not isinstance(field, models.DateTimeField):
                raise ValueError(f"{model.__name__}.{field.name}: only date-times are set to now")
            row[field.attname] = now
        elif field.has_default() and callable(field.default):
            raise ValueError(f"{model.__name__}.{field.name} has a callable default: give it per row")
        else:
            row[field.attname] = field.get_default()
    return row


def insert_rows(model, rows):
    """Insert rows given as {attname: value} dicts (every column, ``id`` absent or reserved) in
    one statement: COPY on PostgreSQL (``copy_rows``), else ``bulk_create``. Each row gets its
    ``id``. Returns the rows."""
    if rows and copy_rows(model, rows) is None:
        objs = model._base_manager.bulk_create([model(**row) for row in rows], batch_size=INSERT_BATCH)
        pk = model._meta.pk.attname
        for row, obj in zip(rows, objs):
            row[pk] = obj.pk
    return rows


def insert_new(model, rows, key):
    """Insert those of ``rows`` ({attname: value}, every column but ``id``) whose value of the
    unique column ``key`` is not in the table yet; returns the rows written, each with its
    ``id``. On PostgreSQL one statement (INSERT … SELECT FROM unnest(an array per column) ON
    CONFLICT (key) DO NOTHING RETURNING) checks, numbers and writes them at once; elsewhere a
    look-up of the values present, then ``insert_rows``."""
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk.attname
    if connection.vendor != "postgresql":
        present = set(model._base_manager.filter(**{f"{key}__in": [row[key] for row in rows]})
                      .values_list(key, flat=True))
        return insert_rows(model, [row for row in rows if row[key] not in present])
    # A column with one value in every row (a batch's time, user, school) is one parameter; the
    # others one array each (psycopg adapts an array value by value: a date-time costs 4 µs).
    first = rows[0]
    fields = [meta.get_field(name) for name in first if name != pk]
    shared = [f for f in fields if f.attname != key and all(row[f.attname] is first[f.attname] for row in rows)]
    varying = [f for f in fields if f not in shared]
    quote = connection.ops.quote_name
    key_column = quote(meta.get_field(key).column)
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in varying + shared)}) "
           f"SELECT u.*{''.join(f', %s::{f.db_type(connection)}' for f in shared)} "
           f"FROM unnest({', '.join(f'%s::{f.db_type(connection)}[]' for f in varying)}) AS u "
           f"ON CONFLICT ({key_column}) DO NOTHING RETURNING {key_column}, {quote(meta.pk.column)}")
    params = []
    for field in shared:
        adapt = _adapter(field)
        params.append(adapt(first[field.attname]) if adapt else first[field.attname])
    for field in varying:
        adapt = _adapter(field)
        params.append([adapt(row[field.attname]) if adapt else row[field.attname] for row in rows])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = dict(cursor.fetchall())
    written = [row for row in rows if row[key] in ids]
    for row in written:
        row[pk] = ids[row[key]]
    return written


def instances(model, rows, **related):
    """Model objects for rows just written ({attname: value}, every concrete column), made as
    unpickling makes them: no ``Model.__init__`` per row, whose keyword path (and modelcluster's
    on a Student) cost more than writing the row. ``related``: field name → the related object of
    every row (a list) or of all of them (one object), cached as assigning it would cache it."""
    alias = connection.alias
    caches = [(model._meta.get_field(name).cache_name, values if isinstance(values, list) else None, values)
              for name, values in related.items()]
    objs = []
    for i, row in enumerate(rows):
        obj = model.__new__(model)
        obj.__dict__.update(row)
        obj._state = state = ModelState()
        state.adding, state.db = False, alias
        if caches:
            state.fields_cache = {name: each[i] if each is not None else one for name, each, one in caches}
        objs.append(obj)
    return objs


def _copy(meta, fields, values, count):
    """COPY the value lists (in ``fields``' order) into the table, counted like any statement."""
    adapters = [(i, adapt) for i, adapt in ((i, _adapter(f)) for i, f in enumerate(fields)) if adapt]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:  # IntegrityError as Django's
        with cursor.cursor.copy(sql) as copy:
            for row in values:
                for i, adapt in adapters:
                    row[i] = adapt(row[i])
                copy.write_row(row)
    if connection.queries_logged:  # counted like any statement (tests assert statement counts)
        connection.queries_log.append({"sql": f"{sql} -- {count} rows",
                                       "time": f"{time.monotonic() - started:.3f}"})
