"""The public lookup's limits (issue 9, item 7), as the attacks: enumerate from one address,
from many, guess a child's name from many addresses — and a stranger trying to lock a parent
out of the lookup. Counted in the Django cache (Redis in production, shared by workers)."""

import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from cases.models import LookupLog
from tests.factories import SchoolClassFactory, SchoolFactory, register_student


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def child(db):
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)
    return register_student(school_class=school_class, stage="junior", name="王小明").student


def lookup(client, name, id_number, ip):
    response = client.post("/lookup/", {"name": name, "id_number": id_number}, REMOTE_ADDR=ip)
    page = response.content.decode()
    outcome = page.split('data-outcome="', 1)[1].split('"', 1)[0] if 'data-outcome="' in page else ""
    return response.status_code, outcome, page


def test_a_stranger_cannot_lock_a_parent_out(client, child):
    """The old per-ID limit (5 lookups a day, any outcome, any IP) let one stranger lock the child
    for a day. Now one IP's failures count once for the ID, and its own IP limit stops it."""
    for _ in range(12):
        lookup(client, "王大明", child.id_number, ip="203.0.113.66")
    status, outcome, page = lookup(client, "王小明", child.id_number, ip="198.51.100.7")
    assert (status, outcome) == (200, "found") and "城关区第一初级中学" in page


@override_settings(XUEJI_LOOKUP_ID_FAILING_IPS=3, XUEJI_LOOKUP_LIMIT_PER_IP=100)
def test_name_guessing_from_many_addresses_pauses_the_id_only_for_the_window(client, child):
    for n in range(3):
        assert lookup(client, f"王{n}明", child.id_number, ip=f"203.0.113.{n}")[1] == "not_found"
    status, outcome, page = lookup(client, "王小明", child.id_number, ip="203.0.113.99")
    assert (status, outcome) == (429, "limited") and "暂停查询 15 分钟" in page
    assert "城关区第一初级中学" not in page  # even the right name is not answered while paused
    assert LookupLog.objects.filter(outcome="limited").count() == 1
    # other children are not affected
    other = register_student(school_class=child.registrations.get().school_class, stage="junior", name="李四").student
    assert lookup(client, "李四", other.id_number, ip="203.0.113.99")[1] == "found"


@override_settings(XUEJI_LOOKUP_ID_FAILING_IPS=2, XUEJI_LOOKUP_ID_PERIOD=1, XUEJI_LOOKUP_LIMIT_PER_IP=100)
def test_the_pause_ends_with_its_short_window(client, child):
    for n in range(2):
        lookup(client, "王大明", child.id_number, ip=f"203.0.113.{n}")
    assert lookup(client, "王小明", child.id_number, ip="198.51.100.7")[1] == "limited"
    time.sleep(1.2)  # the window is 15 minutes in production; 1 second here
    assert lookup(client, "王小明", child.id_number, ip="198.51.100.7")[1] == "found"


@override_settings(XUEJI_LOOKUP_ID_FAILING_IPS=2, XUEJI_LOOKUP_LIMIT_PER_IP=100)
def test_a_parent_who_found_the_child_before_is_not_paused(client, child):
    assert lookup(client, "王小明", child.id_number, ip="198.51.100.7")[1] == "found"  # the parent, at home
    for n in range(5):
        lookup(client, "王大明", child.id_number, ip=f"203.0.113.{n}")
    assert lookup(client, "王小明", child.id_number, ip="203.0.113.50")[1] == "limited"  # a new address is
    assert lookup(client, "王小明", child.id_number, ip="198.51.100.7")[1] == "found"  # the parent's is not


@override_settings(XUEJI_LOOKUP_LIMIT_PER_IP=4)
def test_enumeration_from_one_address_stops_at_the_ip_limit(client, child):
    outcomes = [lookup(client, "王小明", f"6201022012050{n:05d}", ip="203.0.113.5")[1] for n in range(6)]
    assert outcomes == ["not_found"] * 4 + ["limited"] * 2
    assert cache.get("xueji:lookup:ip:203.0.113.5") == 6  # the counter lives in the Django cache


@override_settings(XUEJI_LOOKUP_LIMIT_GLOBAL=5, XUEJI_LOOKUP_LIMIT_PER_IP=100)
def test_enumeration_from_many_addresses_meets_the_global_limit(client, child):
    outcomes = [lookup(client, "王小明", f"6201022012050{n:05d}", ip=f"198.51.100.{n}")[1] for n in range(7)]
    assert outcomes == ["not_found"] * 5 + ["limited"] * 2
    assert lookup(client, "王小明", child.id_number, ip="198.51.100.200")[1] == "limited"
