"""The public site: certificate verification and the status lookup disclose the minimum."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings

from cases.models import CertificateKind, LookupLog
from cases.services.certificates import certificate_issue, certificate_revoke
from cases.services.public import id_number_hash, mask_name
from tests.factories import SchoolClassFactory, SchoolFactory, register_student


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registration(db):
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    return register_student(school_class=SchoolClassFactory(school=school, cohort=2024), name="王小明",
                            birth_date=datetime.date(2012, 5, 1))


@pytest.fixture
def certificate(registration):
    return certificate_issue(acting_user=None, kind=CertificateKind.STUDENT_CARD, student=registration.student)


def verify(client, serial, code):
    response = client.get("/verify/", {"serial": serial, "code": code})
    assert response.status_code == 200
    return response.content.decode()


# --- verification ---------------------------------------------------------------------------
def test_genuine_certificate_is_valid_with_minimal_data(client, certificate):
    page = verify(client, certificate.serial, certificate.check_code)
    assert 'data-outcome="valid"' in page
    assert "王*明" in page and "学生证" in page and "城关区第一初级中学" in page
    assert "王小明" not in page and certificate.student.registry_number not in page
    assert certificate.student.id_number not in page


def test_lowercase_and_spaces_are_accepted(client, certificate):
    assert 'data-outcome="valid"' in verify(client, f" {certificate.serial.lower()} ", certificate.check_code.lower())


def test_revoked_certificate_says_revoked(client, certificate):
    certificate_revoke(acting_user=None, certificate=certificate, reason="信息有误")
    page = verify(client, certificate.serial, certificate.check_code)
    assert 'data-outcome="revoked"' in page and "已作废" in page


def altered(value, index=-1):
    char = value[index]
    return value[:index] + ("2" if char != "2" else "3") + (value[index + 1:] if index != -1 else "")


@pytest.mark.parametrize("make", [
    lambda c: (altered(c.serial), c.check_code),  # altered serial
    lambda c: (c.serial, altered(c.check_code)),  # forged code
    lambda c: ("GSXS2026-999999", c.check_code),  # unknown serial
    lambda c: (c.serial, ""),
    lambda c: ("'; DROP TABLE x;--", "\x00\x01"),
    lambda c: ("A" * 5000, "B" * 5000),
    lambda c: ("GSXS2026-\u0000001", "ABCDEFGH"),
])
def test_forged_or_altered_input_answers_unknown_the_same_way(client, certificate, make):
    serial, code = make(certificate)
    page = verify(client, serial, code)
    assert 'data-outcome="unknown"' in page
    assert "王*明" not in page and "城关区第一初级中学" not in page


def test_verify_without_query_shows_the_form(client, db):
    page = verify(client, "", "")
    assert "证书编号" in page and "data-outcome" not in page
    assert 'name="viewport"' in page  # readable on a phone


# --- status lookup ----------------------------------------------------------------------------
def lookup(client, name, id_number, ip="10.0.0.1"):
    return client.post("/lookup/", {"name": name, "id_number": id_number}, REMOTE_ADDR=ip)


def outcome_block(response):
    page = response.content.decode()
    start = page.index('<div class="card"')
    return page[start:page.index("</div>", start)]


def test_lookup_found_shows_only_masked_number_school_and_status(client, registration):
    student = registration.student
    response = lookup(client, "王小明", student.id_number)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-outcome="found"' in page
    number = student.registry_number
    assert f"{number[:4]}****{number[-4:]}" in page
    assert "城关区第一初级中学" in page and "在籍在读" in page
    assert number not in page and student.id_number not in page
    for birth in ("2012-05", "2012年5月", "20120501", student.birth_date.isoformat()):
        assert birth not in page
    log = LookupLog.objects.get()
    assert log.outcome == "found" and log.ip == "10.0.0.1"
    assert log.id_number_hash == id_number_hash(student.id_number) and student.id_number not in log.id_number_hash


def test_unknown_student_and_wrong_name_give_the_same_answer(client, registration):
    student = registration.student
    wrong_name = lookup(client, "王小名", student.id_number)
    other_id = student.id_number[:-4] + ("0000" if student.id_number[-4:] != "0000" else "1111")
    unknown = lookup(client, "王小明", other_id)
    assert wrong_name.status_code == unknown.status_code == 200
    assert outcome_block(wrong_name) == outcome_block(unknown)
    assert 'data-outcome="not_found"' in outcome_block(unknown)
    assert student.id_number not in wrong_name.content.decode() and other_id not in unknown.content.decode()
    assert list(LookupLog.objects.values_list("outcome", flat=True)) == ["not_found", "not_found"]


def test_lookup_does_the_same_queries_whatever_the_answer(registration):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.services.public import student_status_lookup

    student = registration.student
    counts = []
    for name, id_number in [("王小明", student.id_number), ("王小名", student.id_number), ("王小明", "620102201205019999")]:
        with CaptureQueriesContext(connection) as queries:
            student_status_lookup(ip="10.0.0.9", name=name, id_number=id_number)
        counts.append(len(queries))
    assert len(set(counts)) == 1


@override_settings(XUEJI_LOOKUP_LIMIT_PER_IP=3)
def test_per_ip_limit(client, registration):
    for n in range(3):
        assert lookup(client, "王小明", f"62010220120501{n:04d}").status_code == 200
    response = lookup(client, "王小明", registration.student.id_number)
    assert response.status_code == 429 and "频繁" in response.content.decode()
    assert "城关区第一初级中学" not in response.content.decode()
    assert lookup(client, "王小明", registration.student.id_number, ip="10.0.0.2").status_code == 200
    assert LookupLog.objects.filter(outcome="limited").count() == 1


def test_lookup_form_and_missing_fields(client, db):
    assert client.get("/lookup/").status_code == 200
    response = client.post("/lookup/", {"name": "", "id_number": ""})
    assert "请填写" in response.content.decode() and not LookupLog.objects.exists()


def test_mask_name():
    assert [mask_name(n) for n in ["王小明", "王明", "欧阳小明", "王"]] == ["王*明", "王*", "欧**明", "*"]
