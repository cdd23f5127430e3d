from cases.models import SequenceCounter


def sequence_next(prefix: str) -> int:
    """Next value of a named sequence. Call inside a transaction: the counter row stays locked
    until commit, so concurrent callers on PostgreSQL queue up instead of sharing a value."""
    # INSERT … ON CONFLICT DO NOTHING: two first callers may race to create the row.
    SequenceCounter.objects.bulk_create([SequenceCounter(prefix=prefix)], ignore_conflicts=True)
    counter = SequenceCounter.objects.select_for_update().get(prefix=prefix)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
