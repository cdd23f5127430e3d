"""Staff accounts: an authority's head creates, edits, deactivates (never deletes) and resets
the passwords of the accounts of units in its scope, in the Chinese admin; every change logged."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import Jurisdiction, RegistryLogEntry, Role, StaffProfile
from cases.services.staff import staff_create, staff_reset_password, staff_set_active
from tests.factories import PASSWORD, SchoolFactory, staff_user

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def county():
    return Jurisdiction.objects.get(code="620102")


@pytest.fixture
def head(county):
    return staff_user(county, role=Role.HEAD)


@pytest.fixture
def school(county):
    return SchoolFactory(category="1", name="城关区第一初级中学", county=county)


def create_form(school, **extra):
    return {"full_name": "李学籍", "username": "li-registrar", "password1": "Gansu-2026-xj", "password2": "Gansu-2026-xj",
            "unit_school": school.pk, "unit_jurisdiction": "", "role": "registrar", "trained_on": "2026年8月20日",
            "filed_on": "", **extra}


def test_county_head_creates_a_registrar_in_the_admin(client, head, school):
    client.force_login(head)
    url = reverse("wagtailsnippets_cases_staffprofile:add")
    page = client.get(url).content.decode()
    assert "姓名" in page and "初始密码" in page and school.name in page
    response = client.post(url, create_form(school))
    assert response.status_code == 302, response.content.decode()[-3000:]
    profile = StaffProfile.objects.get(user__username="li-registrar")
    assert profile.school == school and profile.user.first_name == "李学籍"
    assert profile.trained_on == datetime.date(2026, 8, 20)
    assert profile.user.check_password("Gansu-2026-xj") and profile.user.groups.exists()
    entry = RegistryLogEntry.objects.get(action="xueji.staff.create", user=head)
    assert entry.user_id == head.pk and "Gansu" not in str(entry.data)
    listing = client.get(reverse("wagtailsnippets_cases_staffprofile:list")).content.decode()
    assert "李学籍" in listing and "启用" in listing


def test_refusals_change_nothing(client, head, school, county):
    other_school = SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502"))
    client.force_login(head)
    url = reverse("wagtailsnippets_cases_staffprofile:add")
    # A school of another county is not a choice; mismatched passwords; no unit; untrained registrar.
    for form in (create_form(other_school), create_form(school, password2="other-2026-xj"),
                 create_form(school, unit_school=""), create_form(school, trained_on=""),
                 create_form(school, password1="12345678", password2="12345678")):
        assert client.post(url, form).status_code == 200
    assert not User.objects.filter(username="li-registrar").exists()
    # A reviewer (not the head) manages no accounts.
    reviewer = staff_user(county, role=Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        staff_create(acting_user=reviewer, username="x1", password="Gansu-2026-xj", full_name="某某", unit=school,
                     role=Role.REGISTRAR, trained_on=datetime.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        staff_create(acting_user=head, username="x2", password="Gansu-2026-xj", full_name="某某", unit=other_school,
                     role=Role.REGISTRAR, trained_on=datetime.date(2026, 1, 1))
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()
    assert not RegistryLogEntry.objects.filter(action="xueji.staff.create", user=head).exists()


def test_deactivate_and_reset_password(client, head, school):
    registrar = staff_user(school)
    profile = registrar.staff_profile
    client.force_login(head)
    assert client.post(reverse("wagtailsnippets_cases_staffprofile:deactivate", args=[profile.pk]),
                       {"reason": ""}).status_code == 200  # a reason is needed
    registrar.refresh_from_db()
    assert registrar.is_active
    client.post(reverse("wagtailsnippets_cases_staffprofile:deactivate", args=[profile.pk]), {"reason": "调离"})
    registrar.refresh_from_db()
    assert not registrar.is_active and User.objects.filter(pk=registrar.pk).exists()
    assert not client.login(username=registrar.username, password=PASSWORD)  # a stopped account cannot sign in
    client.force_login(head)
    client.post(reverse("wagtailsnippets_cases_staffprofile:activate", args=[profile.pk]))
    client.post(reverse("wagtailsnippets_cases_staffprofile:password", args=[profile.pk]),
                {"password1": "Xin-mima-2026", "password2": "Xin-mima-2026"})
    registrar.refresh_from_db()
    assert registrar.is_active and registrar.check_password("Xin-mima-2026")
    actions = list(RegistryLogEntry.objects.filter(action__startswith="xueji.staff.").exclude(
        action="xueji.staff.create").order_by("id").values_list("action", flat=True))
    assert actions == ["xueji.staff.deactivate", "xueji.staff.activate", "xueji.staff.password"]
    assert all("mima" not in str(e.data) for e in RegistryLogEntry.objects.all())


def test_out_of_scope_accounts_answer_404_and_nobody_resets_their_own(client, head, county):
    other = staff_user(SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620502")))
    client.force_login(head)
    assert client.get(reverse("wagtailsnippets_cases_staffprofile:password", args=[other.staff_profile.pk])
                      ).status_code == 404
    with pytest.raises(ValidationError):
        staff_reset_password(acting_user=head, profile=head.staff_profile, password="Xin-mima-2026")
    with pytest.raises(ValidationError):
        staff_set_active(acting_user=head, profile=head.staff_profile, active=False, reason="自行停用")
    head.refresh_from_db()
    assert head.is_active


# --- many accounts at once (seed_province's staff) ------------------------------------------------
def batch(school, county, n, prefix="p"):
    trained = datetime.date(2026, 8, 20)
    return [{"username": f"{prefix}{i}", "full_name": f"员工{i}", "unit": school if i % 2 else county,
             "role": "registrar" if i % 2 else "reviewer", "trained_on": trained} for i in range(n)]


def test_many_accounts_in_constant_statements_each_with_its_group_profile_and_audit_entry(head, school, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.services.staff import AUTHORITY_GROUP, SCHOOL_GROUP, staff_create_many

    staff_create_many(acting_user=head, people=batch(school, county, 1, "warm"))  # groups created once
    with CaptureQueriesContext(connection) as small:
        staff_create_many(acting_user=head, people=batch(school, county, 4, "a"))
    with CaptureQueriesContext(connection) as large:
        profiles = staff_create_many(acting_user=head, people=batch(school, county, 30, "b"))
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(profiles) == 30
    for profile in StaffProfile.objects.filter(user__username__startswith="b").select_related("user"):
        groups = set(profile.user.groups.values_list("name", flat=True))
        assert groups == ({SCHOOL_GROUP} if profile.school_id else {AUTHORITY_GROUP})
        assert not profile.user.has_usable_password()
        assert RegistryLogEntry.objects.filter(action="xueji.staff.create", object_id=str(profile.pk),
                                               user=head).count() == 1


def test_a_batch_with_one_bad_account_writes_nothing(head, school, county):
    from cases.services.staff import staff_create_many

    users = User.objects.count()
    people = batch(school, county, 3)
    people[1]["trained_on"] = None  # 第三十六条: trained before starting
    with pytest.raises(ValidationError) as error:
        staff_create_many(acting_user=head, people=people)
    assert [e.code for e in error.value.error_list] == ["staff_not_trained"]
    twice = batch(school, county, 2) + batch(school, county, 1)  # p0 twice
    with pytest.raises(ValidationError):
        staff_create_many(acting_user=head, people=twice)
    outside = batch(SchoolFactory(category="1", county=Jurisdiction.objects.get(code="620103")), county, 2)
    with pytest.raises(PermissionDenied):  # a county's head manages its own county only
        staff_create_many(acting_user=head, people=outside)
    assert User.objects.count() == users and not StaffProfile.objects.filter(user__username__startswith="p").exists()
