"""The statistics cube, rebuilt whole in one transaction (cases/models/statistics.py): one
INSERT … SELECT of the grouped open registrations, whatever their number; readers see the old
cube until the new one is committed. The oversight cells (the registration-based checks of
cases/oversight.py per school) are rebuilt in the same transaction, one INSERT … SELECT per
check."""

import time

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from cases import models as m

CUBE_KEYS = ("school_id", "stage", "cohort", "status")
CUBE_COUNTS = ("n", "male", "female", "migrant", "left_behind", "disabled")


def cube_queryset(registrations=None, child=None):
    """The open registrations grouped per school (or per ``child``: an expression naming the
    row's unit, kept as ``child``), stage, cohort and status, with the counts of CUBE_COUNTS."""
    registrations = m.Registration.objects.open() if registrations is None else registrations
    registrations = registrations.order_by().annotate(cohort=F("school_class__cohort"))
    if child is not None:
        registrations = registrations.annotate(child=child)
    keys = ("child" if child is not None else "school_id", "stage", "cohort", "status")
    return (registrations.values(*keys)
            .annotate(n=Count("pk"),
                      male=Count("pk", filter=Q(student__gender=m.Gender.MALE)),
                      female=Count("pk", filter=Q(student__gender=m.Gender.FEMALE)),
                      migrant=Count("pk", filter=Q(student__is_migrant=True)),
                      left_behind=Count("pk", filter=Q(student__is_left_behind=True)),
                      disabled=Count("pk", filter=~Q(student__disability=""))))


@transaction.atomic
def statistics_refresh(now=None):
    """Rebuild the cube and the oversight cells from the registry; returns the snapshot row."""
    started = time.monotonic()
    now = now or timezone.now()
    sql, params = cube_queryset().query.sql_with_params()
    table = m.StatisticsCell._meta.db_table
    columns = ", ".join((*CUBE_KEYS, *CUBE_COUNTS))
    if connection.vendor == "postgresql":
        # Two refreshes at once take turns (the daily job and a manual run): each DELETE would
        # miss the rows the other inserts, and the cells would be counted twice. SQLite's
        # IMMEDIATE transactions serialise writers already.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table}, {m.OversightCell._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    m.StatisticsCell.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({sql}) AS cube", params)
        cells = cursor.rowcount
    oversight_cells = _oversight_refresh(timezone.localdate(now))
    return m.StatisticsSnapshot.objects.create(taken_at=now, seconds=time.monotonic() - started,
                                               cells=max(cells, 0), oversight_cells=oversight_cells)


def _oversight_refresh(today):
    """The open registrations of every school failing each registration-based oversight check,
    counted per school: the whole registry, unscoped (readers narrow to their scope)."""
    from cases import oversight  # it imports cases.statistics, which imports this module

    quote = connection.ops.quote_name
    table = quote(m.OversightCell._meta.db_table)
    m.OversightCell.objects.all().delete()
    written = 0
    with connection.cursor() as cursor:
        for check in oversight.REGISTRATION_CHECKS:
            failing = oversight.registration_check(m.Registration.objects.open(), check, today)
            sql, params = (failing.order_by().values("school_id").annotate(n=Count("pk"))
                           .values("school_id", "n").query.sql_with_params())
            cursor.execute(f"INSERT INTO {table} (school_id, {quote('check_key')}, n) "
                           f"SELECT school_id, %s, n FROM ({sql}) AS failing", (check, *params))
            written += max(cursor.rowcount, 0)
    return written
