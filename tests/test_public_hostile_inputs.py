"""The public pages (/verify/, /lookup/, /search/) fed hostile input (hypothesis): never a 500;
verification answers "unknown" unless serial and code are exactly right; a lookup writes only
its own log line and discloses nothing; control characters get the page's Chinese error."""

import datetime

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Certificate, CertificateKind, LookupLog, Registration, Student
from cases.services.certificates import certificate_issue
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

# The test client cannot send lone surrogates (they cannot be encoded); a browser cannot either.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
HOSTILE = st.one_of(TEXT, st.sampled_from([
    "", " ", "\x00", "王\x00明", "a" * 6000, "长" * 300, "\U00020bb7" * 30, "\u200b\ufeff", "\x1b[31m",
    "' OR 1=1 --", "<script>alert(1)</script>", "9" * 40, "%s%n", "62010220120501001X\x00", "６２０１０２",
    "GSXS2026-000001", "GSXS2026-\x00", "null", "{}", "[]", "OR", "NOT 王", "a AND", "NEAR(a b)", "*", "-", "\"",
]))
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def certificate(db):
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    registration = register_student(school_class=SchoolClassFactory(school=school, cohort=2024), name="王小明",
                                    birth_date=datetime.date(2012, 5, 1))
    return certificate_issue(acting_user=None, kind=CertificateKind.STUDENT_CARD, student=registration.student)


def registry():
    return (Student.objects.count(), Registration.objects.count(), list(Certificate.objects.values()))


@SETTINGS
@given(serial=HOSTILE, code=HOSTILE)
def test_verify_answers_unknown_to_anything_but_the_exact_serial_and_code(client, certificate, serial, code):
    response = client.get("/verify/", {"serial": serial, "code": code})
    assert response.status_code == 200
    page = response.content.decode()
    exact = serial.strip().upper() == certificate.serial and code.strip().upper() == certificate.check_code
    if serial or code:
        assert ('data-outcome="valid"' in page) == exact
        assert exact or "王*明" not in page


@SETTINGS
@given(name=HOSTILE, id_number=HOSTILE, ip=st.ip_addresses(v=4).map(str))
def test_lookup_never_fails_and_writes_only_its_log(client, certificate, name, id_number, ip):
    cache.clear()  # each example starts below the limits
    before, logs = registry(), LookupLog.objects.count()
    response = client.post("/lookup/", {"name": name, "id_number": id_number}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    page = response.content.decode()
    assert registry() == before
    assert LookupLog.objects.count() - logs in (0, 1)
    assert certificate.student.registry_number not in page and "王小明" not in page
    assert certificate.student.id_number not in page
    if any(ord(c) < 32 and c not in "\t\n\r" for c in name.strip() + id_number.strip()):
        assert LookupLog.objects.count() == logs and 'class="card error"' in page  # refused before any look-up


@SETTINGS
@given(query=HOSTILE)
def test_site_search_never_fails(client, db, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    if any(ord(c) < 32 and c not in "\t\n\r" for c in query.strip()[:100]):
        assert "控制字符" in response.content.decode()
