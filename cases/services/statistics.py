"""The statistics cube, rebuilt whole in one transaction (cases/models/statistics.py): one
INSERT … SELECT of the grouped open registrations, whatever their number; readers see the old
cube until the new one is committed."""

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
    """Rebuild the cube from the registry; returns the snapshot row."""
    started = time.monotonic()
    sql, params = cube_queryset().query.sql_with_params()
    table = m.StatisticsCell._meta.db_table
    columns = ", ".join((*CUBE_KEYS, *CUBE_COUNTS))
    m.StatisticsCell.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({sql}) AS cube", params)
        cells = cursor.rowcount
    return m.StatisticsSnapshot.objects.create(taken_at=now or timezone.now(), seconds=time.monotonic() - started,
                                               cells=max(cells, 0))
