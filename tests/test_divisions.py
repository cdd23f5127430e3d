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
