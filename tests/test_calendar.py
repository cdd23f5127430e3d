"""Working days (第二十、二十五条): statutory holidays out, make-up working days in."""

import datetime

import pytest

from cases.calendar import add_working_days, is_working_day, working_days_between
from cases.models import CalendarOverride

D = datetime.date


@pytest.mark.django_db
def test_national_day_2025_and_its_make_up_days():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert is_working_day(D(2025, 9, 28)) is True
    assert all(not is_working_day(D(2025, 10, day)) for day in range(1, 9))
    assert is_working_day(D(2025, 10, 11)) is True
    assert is_working_day(D(2025, 10, 12)) is False


@pytest.mark.django_db
def test_ten_working_days_across_national_day():
    # A step started Friday 26 September 2025. Working days after it: Sun 28 (make-up), Mon 29,
    # Tue 30, then Thu 9, Fri 10, Sat 11 (make-up), Mon 13, Tue 14, Wed 15, Thu 16 → due 16 October.
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 15)) == 9


@pytest.mark.django_db
def test_ten_working_days_in_an_ordinary_fortnight():
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 16)
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday → Monday


@pytest.mark.django_db
def test_admin_overrides_win_over_the_library():
    # A year the library does not know yet: the authority enters the arrangement by hand.
    CalendarOverride.objects.create(day=D(2026, 3, 3), is_working_day=False, note="假设的临时假日")
    CalendarOverride.objects.create(day=D(2026, 3, 7), is_working_day=True, note="假设的调休上班")
    assert is_working_day(D(2026, 3, 3)) is False
    assert is_working_day(D(2026, 3, 7)) is True
    # Mon 2 → Wed 4, Thu 5, Fri 6, Sat 7 (make-up), Mon 9 … : 10 working days end Mon 16 again.
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 16)
    assert add_working_days(D(2026, 3, 2), 4) == D(2026, 3, 7)
