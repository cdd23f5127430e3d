"""Scheduled jobs on the Django Tasks framework (database backend locally, RQ in production).

``scheduler_tick(today)`` (``manage.py run_scheduler``) creates the run of each job whose period
is due, at most once per (job, period): the unique constraint decides, so two schedulers cannot
both run a job. A run that needs approval (the promotion) stops at its dry run until the
province approves it (``job_approve``); the others are queued at once. ``job_execute`` is the
task; each run keeps its outcome and what it changed, shown in the admin.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from cases import access
from cases import models as m
from cases.audit import audit_many
from cases.calendar import chinese_date
from cases.errors import RuleError
from cases.jobs import (
    HANDOVER_TITLE,
    JOBS,
    migrant_dropouts_to_hand_over,
    promotion_preview,
    suspensions_ended,
)

from .registrations import classes_promote

UNDO_DAYS = 30


def scheduler_tick(today=None):
    """Create (and queue) every due run; returns the runs created now."""
    today = today or timezone.localdate()
    created = []
    for job in JOBS.values():
        period = job.period_of(today)
        if period is None or m.JobRun.objects.filter(job=job.code, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = m.JobRun.objects.create(
                    job=job.code, period=period,
                    status=m.JobStatus.AWAITING_APPROVAL if job.needs_approval else m.JobStatus.QUEUED,
                    preview=promotion_preview(int(period)) if job.code == "promotion" else {})
                if not job.needs_approval:
                    transaction.on_commit(lambda pk=run.pk: job_execute.enqueue(pk))
        except IntegrityError:
            continue  # another scheduler created it first
        created.append(run)
    return created


def _is_province(user):
    from django.conf import settings

    scope = access.scope_of(user)
    return scope.everything or scope.code == settings.XUEJI_PROVINCE_CODE


@transaction.atomic
def job_approve(*, acting_user, run):
    """The province approves the promotion's dry run; the run is queued."""
    run = m.JobRun.objects.select_for_update().get(pk=run.pk)
    if not _is_province(acting_user):
        raise PermissionDenied
    if run.status not in (m.JobStatus.AWAITING_APPROVAL, m.JobStatus.UNDONE):
        raise RuleError("job_not_awaiting", "该任务不在待审批状态", article="第十六条")
    run.preview = promotion_preview(int(run.period))  # refreshed: classes may have been added since
    run.status, run.approved_by = m.JobStatus.QUEUED, acting_user
    run.save(update_fields=["preview", "status", "approved_by"])
    transaction.on_commit(lambda: job_execute.enqueue(run.pk))
    return run


@transaction.atomic
def promotion_undo(*, acting_user, run, now=None):
    """Within its first month, the province undoes a promotion: the promotion rows are voided
    (kept, never deleted) and the classes go back one year; the run can be approved again."""
    now = now or timezone.now()
    run = m.JobRun.objects.select_for_update().get(pk=run.pk)
    if not _is_province(acting_user):
        raise PermissionDenied
    if run.job != "promotion" or run.status != m.JobStatus.DONE:
        raise RuleError("job_not_undoable", "只有已完成的年度升级可以撤销", article="第十六条")
    if now - run.finished_at > datetime.timedelta(days=UNDO_DAYS):
        raise RuleError("job_undo_too_late", f"年度升级完成已超过{UNDO_DAYS}天,不能撤销", article="第十六条")
    year = int(run.period)
    voided = m.ClassPromotion.objects.filter(school_year=year, voided_at__isnull=True).update(voided_at=now)
    classes = m.SchoolClass.objects.filter(promoted_through=year).update(promoted_through=year - 1)
    run.status, run.undone_at, run.undone_by = m.JobStatus.UNDONE, now, acting_user
    run.outcome += f"\n{chinese_date(now)}撤销:{voided} 条升级记录作废,{classes} 个班级退回上一学年。"
    run.save(update_fields=["status", "undone_at", "undone_by", "outcome"])
    audit_many([run], "xueji.job.undo", acting_user=acting_user, scope=(_province_code(), None),
               data=lambda r: {"job": r.job, "period": r.period, "voided": voided})
    return run


def _province_code():
    from django.conf import settings

    return settings.XUEJI_PROVINCE_CODE


@task()
def job_execute(run_id):
    with transaction.atomic():
        run = m.JobRun.objects.select_for_update().get(pk=run_id)
        if run.status != m.JobStatus.QUEUED:
            return run_id  # already run (or not approved): idempotent
        run.status, run.started_at = m.JobStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            outcome, changes = RUNNERS[run.job](run)
    except Exception as error:
        m.JobRun.objects.filter(pk=run.pk).update(status=m.JobStatus.FAILED, outcome=f"失败:{error}"[:2000],
                                                  finished_at=timezone.now())
        raise
    m.JobRun.objects.filter(pk=run.pk).update(status=m.JobStatus.DONE, outcome=outcome, changes=changes,
                                              finished_at=timezone.now())
    return run_id


def _promote(run):
    promoted, complete = classes_promote(acting_user=run.approved_by, school_year=int(run.period))
    return (f"{run.period}学年升级:{promoted} 个班级升入新年级,{complete} 个班级学业年限已满(待办理毕业)。",
            {"promoted": promoted, "complete": complete})


def _suspensions(run):
    day = datetime.date.fromisoformat(run.period)
    last = (m.JobRun.objects.filter(job="suspension_ends", status=m.JobStatus.DONE, period__lt=run.period)
            .order_by("-period").values_list("period", flat=True).first())
    since = datetime.date.fromisoformat(last) if last else day - datetime.timedelta(days=1)
    notices = []
    for registration in suspensions_ended(since, day):
        school, township = registration.school, registration.school.township
        compulsory = registration.stage in m.COMPULSORY_STAGES
        notices.append({
            "school": school.name, "school_id": school.pk, "student": registration.student.name,
            "student_id": registration.student_id,
            "registry_number": registration.student.registry_number,
            "until": registration.suspended_until.isoformat(),
            # 第三十一条: in compulsory education the township makes the family send the child back.
            "township": township.name if (compulsory and township) else "",
        })
    schools = len({n["school_id"] for n in notices})
    townships = len({n["township"] for n in notices if n["township"]})
    return (f"{len(notices)} 名学生休学期满,已通知 {schools} 所学校、{townships} 个乡镇(街道)督促复学。",
            {"notices": notices})


def _handover(run):
    registrations = list(migrant_dropouts_to_hand_over())
    entries = [m.ArchiveEntry(student=r.student, school=r.school, kind=m.ArchiveEntryKind.OTHER,
                              title=f"{HANDOVER_TITLE}:{r.student.household_county.name}",
                              body=f"{run.period}结束,{r.school.name}将辍学随迁子女学籍档案移交户籍所在县"
                                   f"{r.student.household_county.name}教育行政部门(第三十二条)。")
               for r in registrations]
    m.ArchiveEntry.objects.bulk_create(entries, batch_size=500)
    audit_many(entries, "xueji.archive.append", acting_user=None,
               data=lambda e: {"kind": e.kind, "job": run.job, "period": run.period})
    by_county = {}
    for r in registrations:
        by_county.setdefault(r.student.household_county.name, []).append(
            {"student": r.student.name, "registry_number": r.student.registry_number, "school": r.school.name,
             "school_id": r.school_id, "student_id": r.student_id})
    return (f"移交 {len(entries)} 名辍学随迁子女的学籍档案至 {len(by_county)} 个户籍所在县。",
            {"handed_over": by_county})


def _statistics(run):
    from .statistics import statistics_refresh

    taken = statistics_refresh()
    return (f"统计汇总 {taken.cells} 行,用时 {taken.seconds:.1f} 秒。", {"cells": taken.cells,
                                                                     "seconds": round(taken.seconds, 1)})


RUNNERS = {"promotion": _promote, "suspension_ends": _suspensions, "migrant_dropout_handover": _handover,
           "statistics": _statistics}
