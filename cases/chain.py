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


def content_of(row):
    """The row's content as canonical JSON: every concrete column except the chain's own."""
    fields = [f for f in row._meta.concrete_fields if f.attname not in CHAIN_FIELDS]
    content = {f.attname: _plain(getattr(row, f.attname)) for f in fields}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


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
