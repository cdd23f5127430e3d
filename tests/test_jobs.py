"""Scheduled jobs (第十六、三十一、三十二条): once per period, a dry run the province approves, an
undo within the month, the outcome and what changed kept on the run."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases.jobs import HANDOVER_TITLE
from cases.services.jobs import job_approve, promotion_undo, scheduler_tick
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user

SEPT = datetime.date(2026, 9, 1)


def run_now(callbacks):
    for callback in callbacks:
        callback()


def test_promotion_waits_for_the_province_runs_once_and_can_be_undone_within_a_month(
        db, gansu, chengguan, django_capture_on_commit_callbacks):
    school = SchoolFactory(county=chengguan, category="0")
    classes = [SchoolClassFactory(school=school, stage="primary", cohort=cohort) for cohort in (2020, 2024, 2025)]
    with django_capture_on_commit_callbacks(execute=True):
        created = scheduler_tick(SEPT)
    promotion = next(r for r in created if r.job == "promotion")
    assert promotion.period == "2026" and promotion.status == m.JobStatus.AWAITING_APPROVAL
    assert promotion.preview["promote"] == 2 and promotion.preview["complete"] == 1  # 2020 cohort: its 6 years are done
    assert not m.ClassPromotion.objects.exists()  # a dry run writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.job for r in scheduler_tick(SEPT + datetime.timedelta(days=1))] == ["suspension_ends", "statistics"]

    with pytest.raises(PermissionDenied):
        job_approve(acting_user=staff_user(chengguan, role="reviewer"), run=promotion)
    province = staff_user(gansu, role="reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        job_approve(acting_user=province, run=promotion)
    promotion.refresh_from_db()
    assert promotion.status == m.JobStatus.DONE and promotion.changes == {"promoted": 2, "complete": 1}
    assert "2 个班级升入新年级" in promotion.outcome
    assert m.ClassPromotion.objects.filter(school_year=2026).count() == 2
    with pytest.raises(ValidationError):
        job_approve(acting_user=province, run=promotion)  # never twice

    with pytest.raises(ValidationError):
        promotion_undo(acting_user=province, run=promotion, now=timezone.now() + datetime.timedelta(days=31))
    promotion_undo(acting_user=province, run=promotion)
    promotion.refresh_from_db()
    assert promotion.status == m.JobStatus.UNDONE
    assert m.ClassPromotion.objects.filter(school_year=2026).count() == 2  # voided, not deleted
    assert not m.ClassPromotion.objects.filter(school_year=2026, voided_at__isnull=True).exists()
    assert not m.SchoolClass.objects.filter(promoted_through=2026).exists()
    with django_capture_on_commit_callbacks(execute=True):  # approved again after the undo
        job_approve(acting_user=province, run=promotion)
    assert m.ClassPromotion.objects.filter(school_year=2026, voided_at__isnull=True).count() == 2
    assert {c.pk for c in classes}


def test_suspensions_reaching_their_end_are_reported_to_school_and_township(
        db, chengguan, django_capture_on_commit_callbacks):
    township = m.Jurisdiction.objects.filter(level="township", code__startswith="620102").first()
    school = SchoolFactory(county=chengguan, category="0", township=township)
    ended = register_student(school=school, stage="primary", birth_date=datetime.date(2018, 1, 1))
    later = register_student(school=school, stage="primary", birth_date=datetime.date(2018, 2, 1), name="李四")
    day = datetime.date(2026, 10, 10)
    # Test data: statuses as a suspension case leaves them (the case machinery is tested elsewhere).
    m.Registration.objects.filter(pk=ended.pk).update(status="suspended", suspended_until=day)
    m.Registration.objects.filter(pk=later.pk).update(status="suspended", suspended_until=day + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(day)
    run = m.JobRun.objects.get(job="suspension_ends", period=day.isoformat())
    assert run.status == m.JobStatus.DONE
    assert [n["student"] for n in run.changes["notices"]] == [ended.student.name]
    notice = run.changes["notices"][0]
    assert notice["school"] == school.name and notice["township"] == (township.name if township else "")
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(day + datetime.timedelta(days=1))
    nxt = m.JobRun.objects.get(job="suspension_ends", period=(day + datetime.timedelta(days=1)).isoformat())
    assert [n["student"] for n in nxt.changes["notices"]] == ["李四"]  # each reported once


def test_term_end_hands_migrant_dropouts_archives_to_the_household_county(
        db, chengguan, tianshui_qinzhou, django_capture_on_commit_callbacks):
    school = SchoolFactory(county=chengguan, category="0")
    migrant = register_student(school=school, stage="primary", birth_date=datetime.date(2017, 1, 1), is_migrant=True,
                               household_county=tianshui_qinzhou)
    local = register_student(school=school, stage="primary", birth_date=datetime.date(2017, 2, 1), name="本地",
                             is_migrant=True, household_county=chengguan)
    m.Registration.objects.filter(pk__in=[migrant.pk, local.pk]).update(status="dropped_out")
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(datetime.date(2027, 2, 1))
    run = m.JobRun.objects.get(job="migrant_dropout_handover")
    assert run.period == "2026-秋季学期" and run.status == m.JobStatus.DONE
    assert list(run.changes["handed_over"]) == [tianshui_qinzhou.name]
    entries = m.ArchiveEntry.objects.filter(title__startswith=HANDOVER_TITLE)
    assert [e.student_id for e in entries] == [migrant.student_id]
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(datetime.date(2027, 8, 1))  # the next term: nothing handed twice
    assert m.ArchiveEntry.objects.filter(title__startswith=HANDOVER_TITLE).count() == 1


def test_job_runs_in_the_admin_for_authorities_not_schools(client, db, gansu, chengguan,
                                                           django_capture_on_commit_callbacks):
    call_command("run_scheduler", "--once")
    run = m.JobRun.objects.get(job="promotion")
    province = staff_user(gansu, role="reviewer")
    client.force_login(province)
    page = client.get(reverse("wagtailsnippets_cases_jobrun:inspect", args=[run.pk]))
    assert page.status_code == 200 and "批准执行年度升级" in page.content.decode()
    assert "年度升级" in client.get(reverse("wagtailsnippets_cases_jobrun:list")).content.decode()
    client.force_login(staff_user(SchoolFactory(county=chengguan, category="0")))
    assert client.get(reverse("wagtailsnippets_cases_jobrun:inspect", args=[run.pk])).status_code == 404


def test_a_county_reads_only_its_schools_students_in_a_job_run_and_g_numbers_as_it_holds_them(
        client, db, gansu, chengguan, tianshui_qinzhou, django_capture_on_commit_callbacks):
    """The attack: a run spans the province; a county opens it to read another county's pupils
    (names, G registry numbers = ID numbers). It reads its own schools' notices only."""
    ours = register_student(school=SchoolFactory(county=chengguan, category="0"), stage="primary",
                            birth_date=datetime.date(2018, 1, 1), name="城关休学生")
    theirs = register_student(school=SchoolFactory(county=tianshui_qinzhou, category="0"), stage="primary",
                              birth_date=datetime.date(2018, 3, 1), name="秦州休学生")
    day = datetime.date(2026, 10, 10)
    m.Registration.objects.filter(pk__in=[ours.pk, theirs.pk]).update(status="suspended", suspended_until=day)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(day)
    run = m.JobRun.objects.get(job="suspension_ends", period=day.isoformat())
    assert {n["student"] for n in run.changes["notices"]} == {"城关休学生", "秦州休学生"}
    url = reverse("wagtailsnippets_cases_jobrun:inspect", args=[run.pk])
    client.force_login(staff_user(chengguan, role="reviewer"))
    page = client.get(url).content.decode()
    assert "城关休学生" in page and ours.student.registry_number in page  # its own: held, whole
    assert "秦州休学生" not in page and theirs.student.registry_number not in page
    assert theirs.student.id_number not in page
    client.force_login(staff_user(gansu, role="reviewer"))  # the province reads the whole run
    page = client.get(url).content.decode()
    assert "城关休学生" in page and "秦州休学生" in page


def test_the_daily_statistics_job_rebuilds_the_cube_the_pages_read(db, gansu, chengguan,
                                                                 django_capture_on_commit_callbacks):
    from cases import statistics as stats
    from tests.factories import register_student

    school = SchoolFactory(county=chengguan, category="0")
    for _ in range(3):
        register_student(school=school, stage="primary")
    province = staff_user(gansu, role="reviewer")
    unit = stats.unit_for(province)
    live = stats.by_unit(province, unit)
    with django_capture_on_commit_callbacks(execute=True):
        runs = scheduler_tick(SEPT)
    run = m.JobRun.objects.get(job="statistics", period=SEPT.isoformat())
    assert run in runs and run.status == m.JobStatus.DONE and run.changes["cells"] >= 1
    assert stats.snapshot() is not None
    province = staff_user(gansu, role="reviewer", username="again")  # a fresh request's user
    assert stats.by_unit(province, stats.unit_for(province)) == live  # the cube says what the registry says
    register_student(school=school, stage="primary")  # after the snapshot: counted at the next one
    province = staff_user(gansu, role="reviewer", username="later")
    assert stats.by_unit(province, stats.unit_for(province))[1]["total"] == live[1]["total"]
