from django.db import connection

from cases.models import SequenceCounter


def sequence_take(prefix: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive values of a named sequence and return the first: one
    statement for any ``count`` (an upsert that creates the counter on first use). Call inside
    a transaction: the counter row stays locked until commit, so concurrent callers on
    PostgreSQL queue up instead of sharing a value."""
    table = connection.ops.quote_name(SequenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last_value) VALUES (%s, %s) "
            f"ON CONFLICT (prefix) DO UPDATE SET last_value = {table}.last_value + excluded.last_value "
            "RETURNING last_value",
            [prefix, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def sequences_take(counts: dict) -> dict:
    """``sequence_take`` for many prefixes at once: {prefix: count} → {prefix: first value}, in
    one statement. The counters are locked in prefix order (two concurrent batches never wait
    on each other in a circle)."""
    counts = {prefix: count for prefix, count in sorted(counts.items()) if count}
    if not counts:
        return {}
    table = connection.ops.quote_name(SequenceCounter._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(counts))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last_value) VALUES {values} "
            f"ON CONFLICT (prefix) DO UPDATE SET last_value = {table}.last_value + excluded.last_value "
            "RETURNING prefix, last_value",
            [v for item in counts.items() for v in item],
        )
        return {prefix: last - counts[prefix] + 1 for prefix, last in cursor.fetchall()}


def sequence_next(prefix: str) -> int:
    return sequence_take(prefix, 1)
