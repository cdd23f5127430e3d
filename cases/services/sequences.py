from cases.models import SequenceCounter


def sequence_take(prefix: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive values of a named sequence and return the first. Call
    inside a transaction: the counter row stays locked until commit, so concurrent callers on
    PostgreSQL queue up instead of sharing a value."""
    # INSERT … ON CONFLICT DO NOTHING: two first callers may race to create the row.
    SequenceCounter.objects.bulk_create([SequenceCounter(prefix=prefix)], ignore_conflicts=True)
    counter = SequenceCounter.objects.select_for_update().get(prefix=prefix)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return first


def sequence_next(prefix: str) -> int:
    return sequence_take(prefix, 1)
