"""The auxiliary-number ledger (第九、十条)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cases.errors import rule_errors
from cases.models import AuxiliaryNumber, Jurisdiction, Registration, SequenceCounter, Stage
from cases.services.auxiliary_numbers import auxiliary_number_cancel, auxiliary_number_issue, auxiliary_template_set
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student


def test_a_range_of_numbers_is_each_number_as_rendered_alone_and_stops_at_the_width():
    from cases.numbers.auxiliary import NumberLayout

    layout = NumberLayout(prefix="2401107", width=4)
    assert layout.render_range(9997, 3) == [layout.render(n) for n in (9997, 9998, 9999)] == [
        "24011079997", "24011079998", "24011079999"]
    assert layout.render_range(5, 0) == []
    with pytest.raises(ValidationError) as error:
        layout.render_range(9998, 3)  # the last one would need five digits
    assert error.value.code == "auxiliary_number_exhausted"


@pytest.mark.django_db
def test_high_school_number_has_the_eleven_digit_layout():
    # 城关区 is the first county of 兰州市 (county code 1); school code 07; entry year 2024.
    school = SchoolFactory(category="5", auxiliary_code="07")
    school_class = SchoolClassFactory(school=school, stage=Stage.SENIOR, cohort=2024)
    registration = register_student(school_class=school_class, stage=Stage.SENIOR)
    number = registration.auxiliary_numbers.get().number
    assert number == "24" + "01" + "1" + "07" + "0001"
    second = register_student(school_class=school_class, stage=Stage.SENIOR, name="李四")
    assert second.auxiliary_numbers.get().number == "24011070002"


@pytest.mark.django_db
def test_high_school_number_of_another_city_and_county():
    tianshui_county = Jurisdiction.objects.get(code="620503")  # 麦积区, second county of 天水市
    school = SchoolFactory(category="5", county=tianshui_county, auxiliary_code="12")
    school_class = SchoolClassFactory(school=school, stage=Stage.SENIOR, cohort=2025)
    number = register_student(school_class=school_class, stage=Stage.SENIOR).auxiliary_numbers.get().number
    assert number == "25" + "05" + "2" + "12" + "0001"


@pytest.mark.django_db
def test_compulsory_number_follows_the_county_template_over_the_city_template(chengguan, lanzhou):
    school = SchoolFactory(category="0", code="1162010299", auxiliary_code="03")
    school_class = SchoolClassFactory(school=school, stage=Stage.PRIMARY, cohort=2025)
    auxiliary_template_set(acting_user=None, jurisdiction=lanzhou, pattern="LZ{year4}{school2}{seq:5}")
    first = register_student(school_class=school_class, stage=Stage.PRIMARY, birth_date=datetime.date(2019, 3, 1))
    assert first.auxiliary_numbers.get().number == "LZ20250300001"
    auxiliary_template_set(acting_user=None, jurisdiction=chengguan, pattern="{county6}{year2}{school_code}{seq:3}")
    second = register_student(school_class=school_class, stage=Stage.PRIMARY, name="李四",
                              birth_date=datetime.date(2019, 3, 1))
    assert second.auxiliary_numbers.get().number == "620102251162010299001"


@pytest.mark.django_db
@pytest.mark.parametrize("pattern, code", [
    ("{year4}{school2}", "auxiliary_template_seq"),
    ("{seq:4}{year4}", "auxiliary_template_seq"),
    ("{year4}{mystery}{seq:4}", "auxiliary_template_field"),
    ("{year4}-{seq:4}", "auxiliary_template_literal"),
])
def test_bad_templates_are_refused(lanzhou, pattern, code):
    with pytest.raises(ValidationError) as info:
        auxiliary_template_set(acting_user=None, jurisdiction=lanzhou, pattern=pattern)
    assert [e["code"] for e in rule_errors(info.value)] == [code]
    assert not lanzhou.__class__.objects.filter(auxiliary_template__isnull=False).exists()


@pytest.mark.django_db
def test_cancelled_number_is_never_reused():
    school = SchoolFactory(category="5", auxiliary_code="07")
    school_class = SchoolClassFactory(school=school, stage=Stage.SENIOR, cohort=2024)
    registration = register_student(school_class=school_class, stage=Stage.SENIOR)
    first = registration.auxiliary_numbers.get()
    cancelled = auxiliary_number_cancel(acting_user=None, registration=registration, reason="休学")
    assert cancelled.pk == first.pk and cancelled.cancelled_at is not None
    reissued = auxiliary_number_issue(acting_user=None, registration=registration)
    assert reissued.number != first.number
    # The next newcomer does not get the cancelled number either.
    other = register_student(school_class=school_class, stage=Stage.SENIOR, name="李四")
    numbers = [first.number, reissued.number, other.auxiliary_numbers.get().number]
    assert len(set(numbers)) == 3
    assert AuxiliaryNumber.objects.filter(number=first.number).count() == 1  # kept, cancelled, in the ledger


@pytest.mark.django_db
def test_a_registration_has_at_most_one_live_number():
    registration = register_student()
    with pytest.raises(ValidationError) as info:
        auxiliary_number_issue(acting_user=None, registration=registration)
    assert [e["code"] for e in rule_errors(info.value)] == ["auxiliary_number_live"]
    assert registration.auxiliary_numbers.count() == 1


@pytest.mark.django_db
def test_closed_registration_gets_no_number():
    registration = register_student()
    auxiliary_number_cancel(acting_user=None, registration=registration, reason="转出")
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    with pytest.raises(ValidationError) as info:
        auxiliary_number_issue(acting_user=None, registration=registration)
    assert [e["code"] for e in rule_errors(info.value)] == ["registration_closed"]


@pytest.mark.django_db
def test_missing_school_code_is_a_clear_error_not_a_crash():
    school = SchoolFactory(category="5", auxiliary_code="")
    school_class = SchoolClassFactory(school=school, stage=Stage.SENIOR, cohort=2024)
    with pytest.raises(ValidationError) as info:
        register_student(school_class=school_class, stage=Stage.SENIOR)
    assert [e["code"] for e in rule_errors(info.value)] == ["auxiliary_number_code_missing"]
    assert not Registration.objects.filter(school=school).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_issues_on_postgresql_give_fifty_distinct_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    school = SchoolFactory(category="5", auxiliary_code="09")
    school_class = SchoolClassFactory(school=school, stage=Stage.SENIOR, cohort=2025)
    registrations = [
        register_student(school_class=school_class, stage=Stage.SENIOR, name=f"学生{n}") for n in range(50)
    ]
    for registration in registrations:
        auxiliary_number_cancel(acting_user=None, registration=registration, reason="重新编排")
    barrier = threading.Barrier(50)
    errors = []

    def issue(batch):
        try:
            barrier.wait(timeout=30)
            for registration in batch:
                auxiliary_number_issue(acting_user=None, registration=registration)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=([registration],)) for registration in registrations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    live = list(AuxiliaryNumber.objects.filter(school=school, cancelled_at__isnull=True).values_list("number", flat=True))
    assert len(live) == 50 and len(set(live)) == 50
    assert AuxiliaryNumber.objects.filter(school=school).values("number").distinct().count() == 100
    # No lost update on the counter: 50 first numbers and 50 reissues took exactly 100 values.
    assert SequenceCounter.objects.get(prefix="25011" + "09").last_value == 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sequence_counter_hands_out_each_value_once_under_concurrency():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    from django.db import transaction

    from cases.services.sequences import sequence_take

    with transaction.atomic():
        sequence_take("race")  # the counter row exists; the race is on incrementing it
    barrier = threading.Barrier(50)
    values, errors = [], []

    def take():
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                value = sequence_take("race")
                connection.cursor().execute("SELECT pg_sleep(0.01)")  # hold the lock a moment
            values.append(value)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(values) == list(range(2, 52))
