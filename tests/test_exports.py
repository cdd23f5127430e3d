"""Exports hold exactly the scoped, filtered rows, open with openpyxl, and are logged (reads)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import models as m
from cases.services.certificates import certificate_issue
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def world(db, chengguan, qilihe):
    cg, qlh = SchoolFactory(county=chengguan, category="0"), SchoolFactory(county=qilihe, category="0")
    cg_class = SchoolClassFactory(school=cg, stage="primary", cohort=2025, class_name="1班")
    other_class = SchoolClassFactory(school=cg, stage="primary", cohort=2024, class_name="1班")
    students = {
        "cg1": register_student(school_class=cg_class, stage="primary", name="甲一", birth_date=datetime.date(2019, 1, 1)),
        "cg2": register_student(school_class=cg_class, stage="primary", name="甲二", gender="F",
                                birth_date=datetime.date(2019, 2, 1)),
        "cg3": register_student(school_class=other_class, stage="primary", name="甲三",
                                birth_date=datetime.date(2018, 2, 1)),
        "qlh": register_student(school=qlh, stage="primary", name="乙一", birth_date=datetime.date(2019, 3, 1)),
    }
    return {"cg": cg, "qlh": qlh, "class": cg_class, "students": students,
            "county": staff_user(chengguan, role="reviewer"), "school": staff_user(cg)}


def test_student_list_export_holds_exactly_the_scoped_filtered_rows_and_is_logged(client, world):
    client.force_login(world["county"])
    response = client.get(reverse("wagtailsnippets_cases_student:list") + "?export=xlsx")
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][:4] == ["学籍号", "姓名", "性别", "出生日期"]
    assert sorted(r[1] for r in rows[1:]) == ["甲一", "甲三", "甲二"]  # not 乙一 of 七里河区
    assert {r[5] for r in rows[1:]} == {world["cg"].name} and {r[7] for r in rows[1:]} == {"在籍在读"}
    assert m.ReadLogEntry.objects.filter(user=world["county"], door="admin_list").count() == 3
    log = m.ExportLog.objects.get()
    assert (log.user, log.kind, log.rows, log.scope_code) == (world["county"], "student.xlsx", 3, "620102")

    response = client.get(reverse("wagtailsnippets_cases_student:list") + "?gender=F&export=xlsx")
    assert [r[1] for r in sheet_rows(response)[1:]] == ["甲二"]
    assert m.ExportLog.objects.filter(query="gender=F", rows=1).exists()


def test_registration_and_case_exports_are_scoped(client, world):
    client.force_login(world["school"])
    rows = sheet_rows(client.get(reverse("wagtailsnippets_cases_registration:list") + "?export=xlsx"))
    assert sorted(r[1] for r in rows[1:]) == ["甲一", "甲三", "甲二"]
    rows = sheet_rows(client.get(reverse("wagtailsnippets_cases_case:list") + "?export=xlsx"))
    assert rows[1:] == []


def test_certificate_listing_export_is_scoped(client, world, qilihe):
    certificate_issue(acting_user=world["county"], kind="student_card", student=world["students"]["cg1"].student)
    certificate_issue(acting_user=staff_user(qilihe, role="reviewer"), kind="student_card",
                      student=world["students"]["qlh"].student)
    client.force_login(world["county"])
    rows = sheet_rows(client.get(reverse("wagtailsnippets_cases_certificate:list") + "?export=xlsx"))
    assert [r[3] for r in rows[1:]] == ["甲一"]
    other = m.Certificate.objects.get(student=world["students"]["qlh"].student)
    assert client.get(reverse("wagtailsnippets_cases_certificate:inspect", args=[other.pk])).status_code == 404


def test_rosters_per_class_grade_school_and_county_in_excel_and_pdf(client, world, chengguan, lanzhou):
    client.force_login(world["county"])
    url = reverse("xueji_rosters")
    by_class = sheet_rows(client.get(url, {"school_class": world["class"].pk, "format": "xlsx"}))
    assert by_class[1][:7] == ["序号", "学校", "学段", "年级", "班级", "学籍号", "姓名"]
    assert sorted(r[6] for r in by_class[2:]) == ["甲一", "甲二"]
    assert all(r[10] for r in by_class[2:])  # the auxiliary number
    grade = world["class"].grade()
    by_grade = sheet_rows(client.get(url, {"school": world["cg"].pk, "grade": grade, "format": "xlsx"}))
    assert sorted(r[6] for r in by_grade[2:]) == ["甲一", "甲二"]
    county = sheet_rows(client.get(url, {"unit": chengguan.pk, "format": "xlsx"}))
    assert sorted(r[6] for r in county[2:]) == ["甲一", "甲三", "甲二"]
    pdf = client.get(url, {"school": world["cg"].pk, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert list(m.ExportLog.objects.order_by("pk").values_list("kind", "rows")) == [
        ("roster.xlsx", 2), ("roster.xlsx", 2), ("roster.xlsx", 3), ("roster.pdf", 3)]
    # Out of scope: another county's school or the city are not offered, and nothing is exported.
    for params in ({"school": world["qlh"].pk, "format": "xlsx"}, {"unit": lanzhou.pk, "format": "xlsx"}):
        response = client.get(url, params)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert m.ExportLog.objects.count() == 4
    assert m.ReadLogEntry.objects.filter(door="export").count() == 2 + 2 + 3 + 3  # every row read, per export


def test_the_roster_form_searches_schools_and_classes_above_a_school(client, world):
    """Above a school the roster form searched nothing: it held every school and class the unit
    reads in two selects (the province: 130,000 classes, 25 s a page). A county searches them, a
    class among the chosen school's, and only what it reads; a school keeps its own few."""
    url = reverse("xueji_rosters")
    lookup = reverse("wagtailsnippets_cases_case:lookup")
    client.force_login(world["county"])
    page = client.get(url).content.decode()
    assert '<select name="school"' not in page and '<select name="school_class"' not in page
    assert page.count("xj-picker__search") == 2 and "case_form.js" in page
    found = client.get(lookup, {"kind": "school_class", "scope": "1", "school": world["cg"].pk}).json()["results"]
    assert {r["id"] for r in found} == {world["class"].pk, world["students"]["cg3"].school_class_id}
    assert client.get(lookup, {"kind": "school_class", "scope": "1", "school": world["qlh"].pk,
                               }).json()["results"] == []  # another county's school: nothing
    response = client.get(url, {"school_class": world["class"].pk, "format": "xlsx"})
    by_class = sheet_rows(response)
    assert sorted(r[6] for r in by_class[2:]) == ["甲一", "甲二"]  # the picker's value exports as before
    assert "filename*=utf-8''" in response["Content-Disposition"] and "%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx" in \
        response["Content-Disposition"]  # the file is named by its title (…花名册.xlsx), not "roster"
    client.force_login(world["school"])
    page = client.get(url).content.decode()
    assert "xj-picker__search" not in page and '<select name="school_class"' in page
    assert f'<option value="{world["class"].pk}"' in page
