"""Jurisdictions: the shipped Gansu list and the divisions importer."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Jurisdiction, School
from tests.factories import SchoolFactory

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "divisions"
SHIPPED = Path(__file__).resolve().parents[1] / "cases" / "data" / "gansu-divisions.csv"


@pytest.mark.django_db
def test_gansu_cities_and_counties_ship_with_the_project():
    assert Jurisdiction.objects.get(code="62").name == "甘肃省"
    assert Jurisdiction.objects.filter(level="city").count() == 14
    assert Jurisdiction.objects.filter(level="county").count() == 88
    for county in Jurisdiction.objects.filter(level="county"):
        assert county.parent.code == county.code[:4]
        assert county.auxiliary_code.isdigit() and len(county.auxiliary_code) == 1
    # One-digit county codes are unique within each city (第十条).
    for city in Jurisdiction.objects.filter(level="city"):
        codes = list(city.children.values_list("auxiliary_code", flat=True))
        assert len(codes) == len(set(codes))


@pytest.mark.django_db
def test_shipped_list_matches_the_reference_data():
    if not SHARED.exists():
        pytest.skip("shared reference data not beside the project")
    reference = {row["code"]: row["name"] for name in ("gansu-cities.csv", "gansu-counties.csv")
                 for row in csv.DictReader((SHARED / name).open(encoding="utf-8"))}
    shipped = dict(Jurisdiction.objects.exclude(level="province").values_list("code", "name"))
    assert shipped == reference


@pytest.mark.django_db
def test_import_townships_and_again_is_idempotent(tmp_path):
    sample = tmp_path / "townships.csv"
    sample.write_text("code,name,areaCode,provinceCode,cityCode\n"
                      '620102001,"酒泉路街道",620102,62,6201\n620102002,"张掖路街道",620102,62,6201\n', encoding="utf-8")
    call_command("import_divisions", str(sample))
    call_command("import_divisions", str(sample))
    township = Jurisdiction.objects.get(code="620102001")
    assert township.level == "township" and township.parent.code == "620102"
    assert Jurisdiction.objects.filter(level="township").count() == 2
    assert township.full_name == "甘肃省兰州市城关区酒泉路街道"


@pytest.mark.django_db
def test_import_with_unknown_parent_changes_nothing(tmp_path):
    sample = tmp_path / "bad.csv"
    sample.write_text("code,name\n620102001,酒泉路街道\n630101001,某街道\n", encoding="utf-8")
    before = Jurisdiction.objects.count()
    with pytest.raises(CommandError, match="上级区划不存在"):
        call_command("import_divisions", str(sample))
    assert Jurisdiction.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("content", ["nope,wrong\n1,2\n", "code,name\n62x,甲\n", "code,name\n620102001,\n"])
def test_import_refuses_malformed_files(tmp_path, content):
    sample = tmp_path / "bad.csv"
    sample.write_text(content, encoding="utf-8")
    before = Jurisdiction.objects.count()
    with pytest.raises(CommandError):
        call_command("import_divisions", str(sample))
    assert Jurisdiction.objects.count() == before


@pytest.mark.django_db
def test_registry_authority_follows_article_3(chengguan):
    county_school = SchoolFactory(category="4")
    assert county_school.authority_code("junior") == "620102"  # compulsory → county
    assert county_school.authority_code("senior") == "6201"  # general high school → city
    city_school = SchoolFactory(category="0", supervision="city")
    assert city_school.authority_code("primary") == "6201"  # under the city bureau → city
    assert city_school.scope_code == "6201"
    province_school = SchoolFactory(category="5", supervision="province")
    assert province_school.authority_code("senior") == "62"
    assert School.objects.offering("junior").filter(pk=county_school.pk).exists()
    assert not School.objects.offering("junior").filter(pk=province_school.pk).exists()


@pytest.mark.django_db
def test_a_county_code_is_edited_through_its_service_with_an_audit_entry(client):
    """第十条: the one-digit county code of the high-school auxiliary number is changed only
    through ``jurisdiction_set_auxiliary_code`` (checked, audited); jurisdictions themselves are
    never added by a form (they come from the GB/T 2260 import), a superuser included."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from cases.models import RegistryLogEntry

    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(admin)
    chengguan = Jurisdiction.objects.get(code="620102")
    neighbour = Jurisdiction.objects.filter(code__startswith="6201", level="county").exclude(pk=chengguan.pk).first()
    url = reverse("wagtailsnippets_cases_jurisdiction:edit", args=[chengguan.pk])
    before = chengguan.auxiliary_code
    for value, message in (("x", "学籍辅号县码应为1位数字"), (neighbour.auxiliary_code, "本市已有县(区)使用该县码")):
        response = client.post(url, {"auxiliary_code": value})
        assert response.status_code == 200 and message in response.content.decode()
    chengguan.refresh_from_db()
    assert chengguan.auxiliary_code == before
    assert not RegistryLogEntry.objects.filter(action="xueji.division.edit").exists()
    free = next(d for d in "0123456789" if not Jurisdiction.objects.filter(
        code__startswith="6201", level="county", auxiliary_code=d).exists())
    assert client.post(url, {"auxiliary_code": free}).status_code == 302
    chengguan.refresh_from_db()
    assert chengguan.auxiliary_code == free
    entry = RegistryLogEntry.objects.get(action="xueji.division.edit")
    assert entry.data == {"from": before, "to": free} and entry.user == admin
    count = Jurisdiction.objects.count()
    response = client.post(reverse("wagtailsnippets_cases_jurisdiction:add"), {"auxiliary_code": "1"},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403 and Jurisdiction.objects.count() == count
