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


def sequence_next(prefix: str) -> int:
    return sequence_take(prefix, 1)
