"""Hash chains over the registry log and the read log (tamper evidence).

Each row stores ``prev_hash`` (the hash of the row before it, in id order) and ``entry_hash`` =
SHA-256(prev_hash + the row's content, canonically serialised). Altering a row breaks its own
hash; deleting one breaks the next row's link; ``manage.py audit_verify`` names the first break.
Rewriting the whole chain after an alteration is possible for someone with the database in
hand, so ``audit_verify`` prints the head, to be recorded elsewhere (and checked with
``--head``): a chain that no longer contains a recorded head was rewritten or truncated.

New rows are linked under a lock on the chain (a transaction-scoped advisory lock on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), so two writers never
take the same head. The lock is held to the end of the writer's transaction, which keeps id
order and chain order the same.
"""

import hashlib
import json
import uuid
from datetime import date, datetime, timezone

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

GENESIS = "0" * 64
CHAIN_FIELDS = ("id", "prev_hash", "entry_hash")
# Distinct advisory lock keys per chain (arbitrary constants, "xueji" + n).
LOCK_KEYS = {"cases_registrylogentry": 0x7875656A6901, "cases_readlogentry": 0x7875656A6902}


_SCALARS = (str, int, bool, type(None))


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        if type(value) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in value.items()):
            return value  # reads back from the JSON column as it is (the common audit payload)
        # as it will read back from the JSON column
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return value


# One encoder for every row: json.dumps(cls=…) would build a new one per call (same output).
_CANONICAL = DjangoJSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_fields(model):
    """The concrete fields whose values a row's hash covers (all but the chain's own)."""
    return [f for f in model._meta.concrete_fields if f.attname not in CHAIN_FIELDS]


_AS_IS = frozenset(_SCALARS)


def content_json(values):
    """Canonical JSON of a row's content given as {attname: value} (every field of
    ``content_fields``): what ``content_of`` gives for a model instance with these values."""
    return _CANONICAL.encode({name: value if type(value) in _AS_IS else _plain(value)
                              for name, value in values.items()})


def content_of(row):
    """The row's content as canonical JSON: every concrete column except the chain's own."""
    return content_json({f.attname: getattr(row, f.attname) for f in content_fields(type(row))})


def hash_of(prev_hash, row):
    return hashlib.sha256((prev_hash + content_of(row)).encode()).hexdigest()


def _lock(model):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEYS[model._meta.db_table]])


def head_of(model):
    return model._base_manager.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS


def link(model, rows):
    """Give new, unsaved ``rows`` their place in the chain. Call inside ``transaction.atomic``,
    right before inserting them (the lock lasts to the end of the transaction)."""
    if not connection.in_atomic_block:
        raise RuntimeError("chain.link needs a transaction")
    _lock(model)
    head = head_of(model)
    for row in rows:
        row.prev_hash = head
        row.entry_hash = head = hash_of(head, row)


def insert(model, rows, insert_rows):
    """Link and insert ``rows`` with ``insert_rows(rows)`` in one transaction: the caller's, if
    any (no savepoint: a failed insert fails the caller's transaction, as it must), else its own."""
    with transaction.atomic(savepoint=False):
        link(model, rows)
        return insert_rows(rows)


def contents_json(common, names):
    """``content_json`` for many rows that share the columns of ``common`` ({attname: value})
    and each hold the columns ``names``: a function of such a row (a dict of ``names``). The
    shared columns are encoded once and the text spliced in key order, as the whole encoding
    would lay it out: a batch's hash then costs the encoding of its own few values."""
    def value(v):
        if type(v) is int:
            return int.__repr__(v)  # as the encoder writes it, without its set-up per call
        return _CANONICAL.encode(v if type(v) in _AS_IS else _plain(v))

    pieces, varying = ["{"], []  # pieces[i] comes before the value of varying[i]; the last one closes
    for i, name in enumerate(sorted({*common, *names})):
        pieces[-1] += ("," if i else "") + _CANONICAL.encode(name) + ":"
        if name in common:
            pieces[-1] += value(common[name])
        else:
            varying.append(name)
            pieces.append("")
    pieces[-1] += "}"
    head, tail = pieces[0], list(zip(varying, pieces[1:]))

    def content(row):
        return head + "".join([value(row[name]) + piece for name, piece in tail])

    return content


def insert_values(model, rows, common=None):
    """Link and insert many rows given as plain {attname: value} dicts, set-based: no model
    instance per row, each hash over the same canonical JSON as ``hash_of`` (so ``verify`` reads
    them back whole), one COPY on PostgreSQL (ids from the table's identity in row order: every
    writer of the chain holds its lock, so id order is chain order), ``bulk_create`` elsewhere.
    ``common``: the columns with one value for every row (a batch's action, time, user), kept
    out of ``rows`` and encoded once; together they name every field of ``content_fields``. Call inside ``transaction.atomic``."""
    from django.db.models import QuerySet

    from cases.bulk import copy_rows

    if not rows:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("chain.insert_values needs a transaction")
    common = common or {}
    _check_columns(model, rows[0], common)
    content = contents_json(common, rows[0])
    _lock(model)
    head = head_of(model)
    sha256 = hashlib.sha256
    linked = []
    for row in rows:  # the content first (the rows hold exactly the hashed columns), then the links
        entry_hash = sha256((head + content(row)).encode()).hexdigest()
        linked.append({**common, **row, "prev_hash": head, "entry_hash": entry_hash})
        head = entry_hash
    if copy_rows(model, linked, reserve=False) is None:  # not PostgreSQL, or too few rows for a COPY
        QuerySet.bulk_create(model._base_manager.all(), [model(**row) for row in linked], batch_size=1000)


def _check_columns(model, row, common):
    """A hash over fewer (or other) columns than the row's content would not verify: ``row``
    and ``common`` together name each content column once."""
    if set(row) & set(common):
        raise ValueError(f"rows of {model.__name__} repeat columns of common: {sorted(set(row) & set(common))}")
    expected = {f.attname for f in content_fields(model)}
    if {*row, *common} != expected:
        raise ValueError(f"rows of {model.__name__} need exactly {sorted(expected)}")


# Chains the database links itself on PostgreSQL (migrations 0027, 0028): table → (function,
# the columns each element of its JSON argument carries after the content, in order).
SERVER_APPEND = {"cases_readlogentry": ("xueji_read_log_append",
                                        ("at", "user_id", "username", "door", "what", "student_id", "scope_code"))}
# The rows' values as one JSON text (the C encoder; psycopg would quote array elements in Python).
_ROWS_JSON = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def append(model, rows, common=None):
    """Link and insert rows given as {attname: value} dicts (as ``insert_values``, with the
    columns every row shares in ``common``), in the caller's transaction if any, else in their
    own. On PostgreSQL a chain with a server function costs one statement: the function takes
    the lock, reads the head and hashes each row's canonical JSON (serialised here, as
    ``content_of`` would) after it. The read log is written on every read, so this is its fixed
    cost."""
    if not rows:
        return
    common = common or {}
    server = SERVER_APPEND.get(model._meta.db_table)
    if connection.vendor != "postgresql" or server is None:
        with transaction.atomic(savepoint=False):
            return insert_values(model, rows, common)
    function, names = server
    _check_columns(model, rows[0], common)
    content = contents_json(common, rows[0])
    shared = {name: _plain(value) for name, value in common.items()}
    entries = _ROWS_JSON.encode([[content(row), *(shared[name] if name in shared else _plain(row[name])
                                                  for name in names)] for row in rows])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s::jsonb)", [LOCK_KEYS[model._meta.db_table], entries])


# --- verification ---------------------------------------------------------------------------
def verify(model, *, chunk=2000):
    """Walk the chain in id order. Returns (problem or None, rows checked, head hash).
    A problem is a dict: kind (altered | missing), the id of the row, the id before it."""
    expected_prev, before, checked = GENESIS, None, 0
    for row in model._base_manager.order_by("id").iterator(chunk_size=chunk):
        if row.entry_hash != hash_of(row.prev_hash, row):
            return {"kind": "altered", "id": row.pk, "before": before}, checked, expected_prev
        if row.prev_hash != expected_prev:
            return {"kind": "missing", "id": row.pk, "before": before}, checked, expected_prev
        expected_prev, before, checked = row.entry_hash, row.pk, checked + 1
    return None, checked, expected_prev


def contains_hash(model, entry_hash):
    return model._base_manager.filter(entry_hash=entry_hash).exists()
