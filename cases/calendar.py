"""Working days (第二十、二十五条: deadlines are counted in working days).

Statutory holidays and make-up working days come from the maintained ``holidays`` library
(country CN); ``CalendarOverride`` rows, edited in the admin, win over it for years it does
not know yet or gets wrong.
"""

import datetime
from functools import lru_cache

import holidays

from cases.models import CalendarOverride


@lru_cache(maxsize=64)
def _library(year):
    return holidays.China(years=year)


def overrides_between(start, end):
    return dict(CalendarOverride.objects.filter(day__range=(start, end)).values_list("day", "is_working_day"))


def is_working_day(day, overrides=None):
    overrides = overrides_between(day, day) if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return _library(day.year).is_working_day(day)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The day on which ``count`` working days after ``start`` have passed (start excluded):
    a step started on a Friday with 1 working day is due the next working Monday."""
    overrides = overrides_between(start, start + datetime.timedelta(days=count * 3 + 40))
    day, left = start, count
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, overrides):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    overrides = overrides_between(start, end)
    return sum(1 for n in range(1, (end - start).days + 1)
               if is_working_day(start + datetime.timedelta(days=n), overrides))


def chinese_date(day):
    """The one date form of every text the registry writes (messages, archive entries):
    2026年3月2日, never the zero-padded 2026年03月02日 that strftime gives."""
    if isinstance(day, datetime.datetime):
        from django.utils import timezone

        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
