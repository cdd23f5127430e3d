"""Accounts (issue 9, item 6), as the attacks: guessing a password, signing in as an authority
with a stolen password but no phone, replaying a code, a weak password — and production
settings that `check --deploy` finds nothing to warn about."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Jurisdiction, Role
from cases.services.staff import staff_create
from tests.factories import PASSWORD, SchoolFactory, staff_user

LOGIN = "/admin/login/"


@pytest.fixture
def county(db):
    return Jurisdiction.objects.get(code="620102")


def sign_in(client, username, password, ip="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def signed_in(client):
    return "_auth_user_id" in client.session


# --- login throttling ------------------------------------------------------------------------
def test_password_guessing_is_stopped_with_a_chinese_message(county):
    user = staff_user(county, role=Role.REVIEWER)
    guesser = Client()
    for _ in range(4):
        response = sign_in(guesser, user.username, "wrong-password")
        assert response.status_code == 200 and not signed_in(guesser)  # the form again, with its error
    response = sign_in(guesser, user.username, "wrong-password")  # the 5th failure locks
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂停" in page and "连续输错 5 次" in page and "15 分钟" in page
    # locked: even the right password is refused from there, before it is checked
    response = sign_in(guesser, user.username, PASSWORD)
    assert response.status_code == 429 and not signed_in(guesser)
    # …but the guesser has not locked the real user out: from the user's own address it works
    owner = Client()
    response = sign_in(owner, user.username, PASSWORD, ip="198.51.100.20")
    assert response.status_code == 302 and signed_in(owner)


def test_a_successful_sign_in_resets_the_count(county):
    user = staff_user(county, role=Role.REVIEWER)
    client = Client()
    for _ in range(4):
        sign_in(client, user.username, "wrong-password")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, user.username, "wrong-password").status_code == 200  # counted afresh


# --- two-factor sign-in ------------------------------------------------------------------------
def code_for(device, *, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later
    return f"{totp.token():0{device.digits}d}"


@override_settings(XUEJI_OTP_FOR_AUTHORITIES=True)
def test_an_authority_user_reaches_nothing_before_the_one_time_code(county):
    user = staff_user(county, role=Role.REVIEWER)
    client = Client()
    assert sign_in(client, user.username, PASSWORD).status_code == 302 and signed_in(client)
    # the password alone opens nothing: admin pages redirect to the code, the API answers 401
    for url in ("/admin/", reverse("wagtailsnippets_cases_student:list"), "/admin/reports/workflow/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("xueji_otp")), url
    response = client.post("/graphql/", data=json.dumps({"query": "{ me { role } }"}), content_type="application/json")
    assert response.status_code == 401 and json.loads(response.content)["errors"][0]["extensions"]["code"] == \
        "otp_required"
    # enrolment: a QR code and the key spelled out, in Chinese
    page = client.get(reverse("xueji_otp")).content.decode()
    assert "两步验证" in page and "<svg" in page and "手动输入密钥" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("xueji_otp")).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1  # reloading keeps the same pending device
    # a wrong code is refused and changes nothing
    response = client.post(reverse("xueji_otp"), {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and client.get("/admin/").status_code == 302
    # guessing fast is throttled: right after a wrong code even the right one waits
    response = client.post(reverse("xueji_otp"), {"token": code_for(device)})
    assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    time.sleep(1.1)  # django-otp's delay after one failure
    response = client.post(reverse("xueji_otp"), {"token": code_for(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("wagtailsnippets_cases_student:list")).status_code == 200


@override_settings(XUEJI_OTP_FOR_AUTHORITIES=True)
def test_each_sign_in_needs_a_fresh_code_and_a_code_is_not_replayed(county):
    user = staff_user(county, role=Role.REVIEWER)
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    first = Client()
    sign_in(first, user.username, PASSWORD)
    page = first.get(reverse("xueji_otp")).content.decode()
    assert "<svg" not in page and "动态验证码" in page  # enrolled: verification only
    code = code_for(device)
    assert first.post(reverse("xueji_otp"), {"token": code}).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = Client()  # another browser, same password: the code just used is worthless
    sign_in(second, user.username, PASSWORD, ip="192.0.2.11")
    assert second.post(reverse("xueji_otp"), {"token": code}).status_code == 400
    assert second.get("/admin/").status_code == 302
    time.sleep(1.1)
    assert second.post(reverse("xueji_otp"), {"token": code_for(device, later=device.step)}).status_code == 302
    assert second.get("/admin/").status_code == 200


@override_settings(XUEJI_OTP_FOR_AUTHORITIES=True)
def test_school_registrars_are_not_asked_and_the_next_url_stays_on_site(county):
    registrar = staff_user(SchoolFactory(category="1", county=county))
    client = Client()
    sign_in(client, registrar.username, PASSWORD)
    assert client.get("/admin/").status_code == 200
    with override_settings(XUEJI_OTP_FOR_SCHOOLS=True):
        assert client.get("/admin/").status_code == 302
        device = TOTPDevice.objects.create(user=registrar, name="身份验证器", confirmed=True)
        response = client.post(reverse("xueji_otp"), {"token": code_for(device), "next": "https://evil.example/"})
        assert response.status_code == 302 and response["Location"] == "/admin/"


# --- passwords and deployment -------------------------------------------------------------------
@pytest.mark.parametrize("password", ["12345678", "short", "password123", "1234567890"])
def test_weak_passwords_are_refused_and_no_account_is_made(county, password):
    from django.contrib.auth import get_user_model

    head = staff_user(county, role=Role.HEAD)
    with pytest.raises(ValidationError):
        staff_create(acting_user=head, username="newcomer", password=password, full_name="新同事", unit=county,
                     role=Role.REVIEWER)
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_check_deploy_is_clean_under_production_settings():
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "cms.settings.production",
           "SECRET_KEY": "k" * 20 + "-Q7rL2x9vW0pZt3yBn8sHc4dJf6gKm1aE5uRi",
           "ALLOWED_HOSTS": "xueji.example.cn", "WAGTAILADMIN_BASE_URL": "https://xueji.example.cn",
           "REDIS_URL": "redis://127.0.0.1:6379/2"}
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env,
                         capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
