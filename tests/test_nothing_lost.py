"""Nothing lost: staff accounts are deactivated, never deleted, so history keeps the person;
no raw add/delete view on registry records, even for a superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from cases.models import RegistrationEvent, Registration, Student
from tests.factories import SchoolFactory, register_student, staff_user

User = get_user_model()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.cn", "xueji-test-pass")


@pytest.fixture
def history(db):
    school = SchoolFactory()
    clerk = staff_user(school)
    registration = register_student(school=school, acting_user=clerk)
    return clerk, registration


def test_a_user_cannot_be_deleted_by_any_code_path(history):
    clerk, registration = history
    with pytest.raises(ProtectedError), transaction.atomic():
        clerk.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.filter(pk=clerk.pk).delete()
    assert User.objects.filter(pk=clerk.pk).exists()
    assert RegistrationEvent.objects.get(registration=registration).recorded_by == clerk


def test_a_user_who_did_nothing_is_not_deleted_either(db):
    idle = User.objects.create_user("idle", password="x")
    with pytest.raises(ProtectedError), transaction.atomic():
        idle.delete()
    assert User.objects.filter(pk=idle.pk).exists()


def test_wagtail_user_delete_view_refuses_and_keeps_the_account(client, superuser, history):
    clerk, _ = history
    client.force_login(superuser)
    url = reverse("wagtailusers_users:delete", args=[clerk.pk])
    for method in (client.get, client.post):
        response = method(url, follow=True)
        assert response.status_code == 200
        assert "用户账号不能删除" in response.content.decode()
    assert User.objects.filter(pk=clerk.pk, is_active=True).exists()


def test_wagtail_bulk_delete_of_users_is_refused(client, superuser, history):
    clerk, _ = history
    client.force_login(superuser)
    url = reverse("wagtail_bulk_action", args=["auth", "user", "delete"]) + f"?id={clerk.pk}"
    response = client.post(url)
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=clerk.pk).exists()


@pytest.mark.parametrize("model", ["registration", "student"])
def test_no_raw_add_view_for_students_or_registrations_even_for_a_superuser(client, superuser, history, model):
    _, registration = history
    client.force_login(superuser)
    url = reverse(f"wagtailsnippets_cases_{model}:add")
    before = (Registration.objects.count(), Student.objects.count(), RegistrationEvent.objects.count())
    get = client.get(url)
    post = client.post(url, {"student": registration.student_id, "school": registration.school_id,
                             "stage": "junior", "status": "active", "started_on": "2025-09-01",
                             "name": "王大明", "gender": "M", "birth_date": "2012-01-01"})
    assert get.status_code != 200 and post.status_code != 200
    assert (Registration.objects.count(), Student.objects.count(), RegistrationEvent.objects.count()) == before

def test_the_registration_listing_offers_no_add_button(client, superuser, history):
    client.force_login(superuser)
    index = client.get(reverse("wagtailsnippets_cases_registration:list"))
    assert index.status_code == 200
    assert reverse("wagtailsnippets_cases_registration:add") not in index.content.decode()


@pytest.mark.parametrize("model, data", [
    ("calendaroverride", {"day": "2026-10-10", "is_working_day": "on", "note": "调休"}),
    ("school", {"code": "1620102999", "name": "旁门学校", "category": "1"}),
    ("staffprofile", {"role": "registrar"}),
    ("case", {"case_type": "death"}),
])
def test_choosers_create_nothing_even_for_a_superuser(client, superuser, history, model, data):
    """A chooser's "create" tab would save the model's form as it is, past the services (no rule,
    no audit entry): it is shut, and no chooser offers it."""
    from django.apps import apps

    model_class = apps.get_model("cases", model)
    before = model_class.objects.count()
    client.force_login(superuser)
    assert client.post(f"/admin/snippets/choose/cases/{model}/create/", data).status_code in (302, 403)
    assert model_class.objects.count() == before
    chooser = client.get(f"/admin/snippets/choose/cases/{model}/")
    assert chooser.status_code == 200 and b'id="tab-create"' not in chooser.content
