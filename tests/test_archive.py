"""The archive (第十二~十四条): staff append, nothing is deleted or rewritten; the calendar
override table is kept by the province."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.errors import rule_errors
from cases.models import ArchiveEntry, CalendarOverride, Jurisdiction, Role
from cases.services.archives import archive_entry_append
from cases.services.registrations import registration_change_status, registration_open
from tests.case_types.helpers import World
from tests.factories import SchoolFactory, register_student


@pytest.fixture
def world(db):
    return World()


def test_staff_append_health_award_aid_quality_and_corrections_point_back(world):
    registration = register_student()
    student = registration.student
    entries = [archive_entry_append(acting_user=None, student=student, kind=kind, title=f"{kind}记录", body="……")
               for kind in ("health", "award", "aid", "quality")]
    fix = archive_entry_append(acting_user=None, student=student, kind="health", title="体检更正",
                               body="身高应为 152cm", corrects=entries[0])
    entries[0].refresh_from_db()
    assert entries[0].title == "health记录"  # the original stands, unchanged
    assert list(entries[0].corrections.all()) == [fix]


def test_base_data_and_evidence_come_only_from_cases(world):
    student = register_student().student
    before = ArchiveEntry.objects.count()
    for kind in ("base_data", "evidence"):
        with pytest.raises(ValidationError) as info:
            archive_entry_append(acting_user=None, student=student, kind=kind, title="手工写入")
        assert [e["code"] for e in rule_errors(info.value)] == ["archive_kind"]
    assert ArchiveEntry.objects.count() == before


def test_admin_append_by_the_current_school_only_and_never_delete(client, world):
    origin = SchoolFactory(category="1")
    registration = register_student(school=origin)
    add_url = reverse("wagtailsnippets_cases_archiveentry:add")
    client.force_login(world.school_user(origin))
    response = client.post(add_url, {"student": registration.student_id, "kind": "award", "title": "三好学生",
                                     "body": "2025-2026学年"})
    assert response.status_code == 302
    entry = ArchiveEntry.objects.get(title="三好学生")
    assert entry.school == origin and entry.recorded_by.staff_profile.school == origin
    # No edit, no delete: the archive is append-only.
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    assert client.get(reverse("wagtailsnippets_cases_archiveentry:edit", args=[entry.pk]), **xhr).status_code == 403
    assert client.post(reverse("wagtailsnippets_cases_archiveentry:delete", args=[entry.pk]), **xhr).status_code == 403
    assert ArchiveEntry.objects.filter(pk=entry.pk, title="三好学生").exists()
    # After a transfer the origin still reads the archive but adds nothing to it (第十四条).
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=registration.student, school=SchoolFactory(category="1"),
                      stage="junior", started_on=datetime.date(2026, 3, 2), reason="转入")
    assert client.get(reverse("wagtailsnippets_cases_archiveentry:inspect", args=[entry.pk])).status_code == 200
    response = client.post(add_url, {"student": registration.student_id, "kind": "award", "title": "转出后",
                                     "body": ""})
    assert response.status_code == 200 and not ArchiveEntry.objects.filter(title="转出后").exists()


def test_calendar_overrides_are_kept_by_the_province(client, world):
    add_url = reverse("wagtailsnippets_cases_calendaroverride:add")
    data = {"day": "2027-10-09", "is_working_day": "on", "note": "国庆调休上班"}
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="620102"), Role.HEAD))
    client.post(add_url, data)
    assert not CalendarOverride.objects.exists()
    client.force_login(world.authority_user(Jurisdiction.objects.get(code="62"), Role.HEAD))
    assert client.post(add_url, data).status_code == 302
    assert CalendarOverride.objects.get().is_working_day is True


def test_the_student_of_a_new_entry_is_searched_among_those_the_school_may_add_to(client, world):
    """The add form searched Wagtail's chooser of every student the user reads (2 s a page at
    province size, former pupils included); it is the case form's picker over the students the
    user may add to: the school's own, found by name."""
    school, other = SchoolFactory(category="1"), SchoolFactory(category="1")
    mine = register_student(school=school, name="王本校").student
    theirs = register_student(school=other, name="王外校").student
    client.force_login(world.school_user(school))
    page = client.get(reverse("wagtailsnippets_cases_archiveentry:add")).content.decode()
    assert "xj-picker__search" in page and "choose/cases/student" not in page
    lookup = reverse("wagtailsnippets_cases_case:lookup")
    found = client.get(lookup, {"kind": "student", "scope": "1", "q": "王"}).json()["results"]
    assert [r["id"] for r in found] == [mine.pk]
    response = client.post(reverse("wagtailsnippets_cases_archiveentry:add"),
                           {"student": theirs.pk, "kind": "award", "title": "外校奖项", "body": ""})
    assert response.status_code == 200 and not ArchiveEntry.objects.filter(title="外校奖项").exists()


def test_an_entry_is_corrected_from_its_page_not_picked_among_every_entry(client, world):
    """更正对象 was a select of every archive entry the user reads (the province's page: 19,690
    options, 5.7 s, millions at full size). A correction starts from the entry's page: its
    student and the entry corrected come with the link; nothing else is offered."""
    school, other_school = SchoolFactory(category="1"), SchoolFactory(category="1")
    student = register_student(school=school, name="王更正").student
    register_student(school=other_school, name="王外人")
    outside = ArchiveEntry.objects.filter(student__name="王外人").first()
    client.force_login(world.school_user(school))
    add_url = reverse("wagtailsnippets_cases_archiveentry:add")
    client.post(add_url, {"student": student.pk, "kind": "award", "title": "三好学生", "body": "2025学年"})
    entry = ArchiveEntry.objects.get(title="三好学生")
    page = client.get(add_url).content.decode()
    assert 'type="hidden" name="corrects"' in page and "<option" not in page.split('name="corrects"')[0][-400:]
    inspect = client.get(reverse("wagtailsnippets_cases_archiveentry:inspect", args=[entry.pk])).content.decode()
    link = f"{add_url}?corrects={entry.pk}"
    assert "更正此条目" in inspect and link in inspect
    form = client.get(link).content.decode()
    assert "更正「三好学生」" in form and "王更正" in form  # the student comes chosen
    response = client.post(link, {"student": student.pk, "kind": "award", "title": "三好学生(更正)",
                                  "body": "2024学年", "corrects": entry.pk})
    assert response.status_code == 302
    assert ArchiveEntry.objects.get(title="三好学生(更正)").corrects_id == entry.pk
    assert outside is not None  # the other school's intake wrote an entry
    assert "更正「" not in client.get(f"{add_url}?corrects={outside.pk}").content.decode()  # not readable: nothing
    response = client.post(add_url, {"student": student.pk, "kind": "award", "title": "越界更正", "body": "",
                                     "corrects": outside.pk})
    assert response.status_code == 200 and not ArchiveEntry.objects.filter(title="越界更正").exists()
