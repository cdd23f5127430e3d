"""Unit tests of the one access policy (cases/access.py): scopes, the Wagtail-shaped policy,
404 for missing and out-of-scope alike, a flat query count, the scoped audit log."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from wagtail.models import ModelLogEntry
from wagtail.permissions import policy_registry

from cases import access
from cases import models as m
from cases.services.registrations import registration_change_status, registration_open
from cases.services.staff import AUTHORITY_GROUP, staff_groups_ensure
from tests.factories import SchoolFactory, register_student, staff_user


@pytest.fixture
def world(chengguan, qilihe, tianshui_qinzhou):
    schools = {
        "cg": SchoolFactory(county=chengguan, name="学校CG"),
        "qlh": SchoolFactory(county=qilihe, name="学校QLH"),
        "qz": SchoolFactory(county=tianshui_qinzhou, name="学校QZ"),
        "city": SchoolFactory(county=chengguan, supervision="city", name="学校CITY"),
        "prov": SchoolFactory(county=qilihe, supervision="province", name="学校PROV"),
    }
    registrations = {key: register_student(school=school, name=f"学生{key.upper()}") for key, school in schools.items()}
    users = {
        "school": staff_user(schools["cg"]),
        "county": staff_user(chengguan),
        "city": staff_user(m.Jurisdiction.objects.get(code="6201")),
        "province": staff_user(m.Jurisdiction.objects.get(code="62")),
    }
    return SimpleNamespace(schools=schools, registrations=registrations, users=users,
                           students={key: r.student for key, r in registrations.items()})


def fresh(user):
    """The user as a new request sees it: no cached scope, no cached permissions."""
    return get_user_model().objects.get(pk=user.pk)


def keys(world, queryset, kind="schools"):
    objects = getattr(world, kind)
    pks = set(queryset.values_list("pk", flat=True))
    return {key for key, obj in objects.items() if obj.pk in pks}


def transfer(world, key, to):
    origin = world.registrations[key]
    registration_change_status(acting_user=None, registration=origin, status=m.RegistrationStatus.TRANSFERRED_OUT,
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    destination = registration_open(acting_user=None, student=origin.student, school=world.schools[to], stage="junior",
                                    started_on=datetime.date(2026, 3, 2), reason="转入")
    return origin, destination


# --- scope_of ------------------------------------------------------------------------------
def test_scope_of_superuser_is_everything(db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    scope = access.scope_of(admin)
    assert scope.everything and not scope.is_empty
    assert scope.schools() == access.Q()


def test_scope_of_user_without_profile_is_empty(db):
    user = get_user_model().objects.create_user("drifter", password="x")
    user.groups.add(staff_groups_ensure()[AUTHORITY_GROUP])
    assert access.scope_of(user).is_empty
    assert access.scope_of(AnonymousUser()).is_empty
    assert access.scope_of(None).is_empty


def test_scope_of_inactive_staff_is_empty(world):
    user = world.users["province"]
    user.is_active = False
    user.save()
    assert access.scope_of(fresh(user)).is_empty
    assert not access.visible(fresh(user), m.School).exists()


def test_scope_of_school_and_jurisdiction_users(world):
    assert access.scope_of(world.users["school"]) == access.Scope(school_id=world.schools["cg"].pk)
    assert access.scope_of(world.users["county"]) == access.Scope(code="620102")
    assert access.scope_of(world.users["city"]) == access.Scope(code="6201")
    assert access.scope_of(world.users["province"]) == access.Scope(code="62")


def test_scope_of_is_cached_on_the_user(world, django_assert_num_queries):
    user = fresh(world.users["county"])
    with django_assert_num_queries(1):
        access.scope_of(user)
    with django_assert_num_queries(0):
        access.scope_of(user)


# --- the policy ----------------------------------------------------------------------------
def test_policies_are_registered_with_wagtail(db):
    for model in (m.School, m.Student, m.Registration, m.SchoolClass, m.Jurisdiction, m.StaffProfile):
        assert policy_registry.get_by_type(model) is access.policy_for(model)


@pytest.mark.parametrize("user,expected", [
    ("school", {"cg"}),
    ("county", {"cg"}),  # not the city-bureau school standing in 城关区
    ("city", {"cg", "qlh", "city"}),
    ("province", {"cg", "qlh", "qz", "city", "prov"}),
])
def test_instances_user_has_any_permission_for_follows_scope(world, user, expected):
    policy = access.policy_for(m.School)
    assert keys(world, policy.instances_user_has_any_permission_for(world.users[user], ["view"])) == expected
    students = access.policy_for(m.Student).instances_user_has_any_permission_for(world.users[user], ["view"])
    assert keys(world, students, "students") == expected
    registrations = access.policy_for(m.Registration).instances_user_has_any_permission_for(world.users[user], ["view"])
    assert keys(world, registrations, "registrations") == expected


def test_instances_need_the_model_permission(world):
    """A school registrar may view its school but not change it (no cases.change_school)."""
    policy = access.policy_for(m.School)
    user = world.users["school"]
    assert keys(world, policy.instances_user_has_any_permission_for(user, ["view"])) == {"cg"}
    assert not policy.instances_user_has_any_permission_for(user, ["change"]).exists()
    assert not policy.instances_user_has_any_permission_for(user, ["delete"]).exists()
    assert keys(world, policy.instances_user_has_any_permission_for(world.users["county"], ["change"])) == {"cg"}
    # Nobody deletes registry records, whatever the scope.
    assert not policy.instances_user_has_any_permission_for(world.users["province"], ["delete"]).exists()


def test_any_permission_is_the_union_of_the_actions(world):
    """After a transfer the origin may view but not change the student: asked for "view or
    change", the policy must still answer with the student (read scope ⊇ write scope)."""
    transfer(world, "cg", to="qlh")
    policy = access.policy_for(m.Student)
    origin = world.users["school"]
    assert keys(world, policy.instances_user_has_any_permission_for(origin, ["view"]), "students") == {"cg"}
    assert keys(world, policy.instances_user_has_any_permission_for(origin, ["change"]), "students") == set()
    assert keys(world, policy.instances_user_has_any_permission_for(
        origin, ["add", "change", "delete", "view"]), "students") == {"cg"}


def test_user_has_permission_for_instance(world):
    school_policy, student_policy = access.policy_for(m.School), access.policy_for(m.Student)
    county, registrar = world.users["county"], world.users["school"]
    assert school_policy.user_has_permission_for_instance(county, "change", world.schools["cg"])
    assert not school_policy.user_has_permission_for_instance(county, "change", world.schools["qlh"])
    assert not school_policy.user_has_permission_for_instance(county, "view", world.schools["city"])
    assert school_policy.user_has_permission_for_instance(registrar, "view", world.schools["cg"])
    assert not school_policy.user_has_permission_for_instance(registrar, "change", world.schools["cg"])
    assert school_policy.user_has_any_permission_for_instance(registrar, ["change", "view"], world.schools["cg"])

    student = world.students["cg"]
    assert student_policy.user_has_permission_for_instance(registrar, "change", student)
    transfer(world, "cg", to="qlh")
    destination = staff_user(world.schools["qlh"])
    assert student_policy.user_has_permission_for_instance(registrar, "view", student)
    assert not student_policy.user_has_permission_for_instance(registrar, "change", student)  # 第十四条
    assert student_policy.user_has_permission_for_instance(destination, "change", student)
    assert student_policy.user_has_permission_for_instance(county, "view", student)  # its history
    assert not student_policy.user_has_permission_for_instance(county, "change", student)
    assert student_policy.user_has_permission_for_instance(world.users["city"], "change", student)


def test_registration_write_scope_is_open_registrations(world):
    origin, destination = transfer(world, "cg", to="qlh")
    registration_scope = access.in_scope(world.users["city"], m.Registration, actions=["change"])
    assert origin not in registration_scope and destination in registration_scope
    assert origin in access.in_scope(world.users["city"], m.Registration)


# --- 404 for missing and out of scope alike -----------------------------------------------
def test_get_in_scope_or_404(world):
    user = world.users["county"]
    assert access.get_in_scope_or_404(user, m.Student, pk=world.students["cg"].pk) == world.students["cg"]
    missing_pk = m.Student.objects.order_by("-pk").first().pk + 1000
    for lookup in ({"pk": missing_pk}, {"pk": world.students["qlh"].pk}, {"pk": world.students["city"].pk},
                   {"pk": "not-a-number"}, {"registry_number": world.students["qz"].registry_number}):
        with pytest.raises(Http404) as excinfo:
            access.get_in_scope_or_404(user, m.Student, **lookup)
        # The same answer, with nothing that tells the two apart.
        assert str(excinfo.value) == ""


def test_get_in_scope_or_404_for_a_write(world):
    transfer(world, "cg", to="qlh")
    registrar = world.users["school"]
    assert access.get_in_scope_or_404(registrar, m.Student, pk=world.students["cg"].pk)
    with pytest.raises(Http404):
        access.get_in_scope_or_404(registrar, m.Student, actions=["change"], pk=world.students["cg"].pk)


def test_user_without_profile_reaches_nothing(world):
    user = get_user_model().objects.create_user("drifter", password="x")
    user.groups.add(staff_groups_ensure()[AUTHORITY_GROUP])
    for model in (m.School, m.Student, m.Registration, m.Jurisdiction, m.StaffProfile):
        assert not access.visible(user, model).exists()
        assert not access.in_scope(user, model).exists()
    with pytest.raises(Http404):
        access.get_in_scope_or_404(user, m.School, pk=world.schools["cg"].pk)


# --- query count ---------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [0, 20])
@pytest.mark.parametrize("user", ["school", "county", "province"])
def test_visible_students_costs_a_constant_number_of_queries(world, django_assert_num_queries, user, extra):
    """Profile, user permissions, group permissions, then one SELECT, however many students."""
    for n in range(extra):
        register_student(school=world.schools["cg"], name=f"加{n}")
        register_student(school=world.schools["qz"], name=f"外{n}")
    person = fresh(world.users[user])
    with django_assert_num_queries(4):
        students = list(access.visible(person, m.Student))
    assert world.students["cg"] in students
    with django_assert_num_queries(1):  # scope and permissions are cached on the user
        list(access.visible(person, m.Student))


# --- the audit log -------------------------------------------------------------------------
def test_audit_entries_visible_follow_scope(world):
    entries = m.RegistryLogEntry.objects.all()
    county = fresh(world.users["county"])
    ModelLogEntry.objects.viewable_by_user(county)  # Wagtail caches its content types on the user
    labels = set(access.audit_entries_visible(county, entries).values_list("label", flat=True))
    assert str(world.students["cg"]) in labels and "学校CG" in labels
    for key in ("qlh", "qz", "city", "prov"):
        assert str(world.students[key]) not in labels
        assert world.schools[key].name not in labels
    registrar = fresh(world.users["school"])
    assert set(access.audit_entries_visible(registrar, entries).values_list("school_id", flat=True)) == {
        world.schools["cg"].pk}
    drifter = get_user_model().objects.create_user("drifter", password="x")
    drifter.groups.add(staff_groups_ensure()[AUTHORITY_GROUP])
    assert not access.audit_entries_visible(drifter, entries).exists()


def test_audit_entries_need_a_permission_on_the_model(world):
    """A school registrar has no permission on staff profiles: their entries stay hidden."""
    registrar = fresh(world.users["school"])
    visible = access.audit_entries_visible(registrar, m.RegistryLogEntry.objects.all())
    assert not visible.filter(action="xueji.staff.create").exists()
    assert m.RegistryLogEntry.objects.filter(action="xueji.staff.create", school_id=world.schools["cg"].pk).exists()


def test_registry_log_manager_survives_wagtails_shared_cache(world):
    county = fresh(world.users["county"])
    ModelLogEntry.objects.viewable_by_user(county)
    assert m.RegistryLogEntry.objects.viewable_by_user(county).filter(label=str(world.students["cg"])).exists()
