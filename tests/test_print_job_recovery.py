"""Print jobs whose worker stopped: detected by their lease, resumed or failed with what was
done, never left "running"; each certificate logged once per job however often it runs."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CertificatePrint, PrintJob, PrintJobStatus
from cases.services.print_jobs import print_job_create, print_job_run, print_jobs_recover
from tests.factories import SchoolFactory, staff_user
from tests.test_print_jobs import diplomas

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(django_capture_on_commit_callbacks):
    """A job of two diplomas whose task was never delivered (the callbacks are not run)."""
    school = SchoolFactory(category="1")
    certificates = diplomas(school, 2)
    with django_capture_on_commit_callbacks(execute=False):
        job = print_job_create(acting_user=staff_user(school), certificates=certificates)
    return job, certificates


def die_after_first_page(job, certificate, *, attempts=1, silent_for=3600):
    """What a killed worker leaves: running, one page logged, a heartbeat long past."""
    CertificatePrint.objects.create(certificate=certificate, printed_by=job.created_by, print_job=job)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.RUNNING, attempts=attempts, done=1,
                                              heartbeat_at=timezone.now() - datetime.timedelta(seconds=silent_for))


def test_a_job_whose_worker_died_is_resumed_and_finishes_with_one_log_per_certificate(
        queued, django_capture_on_commit_callbacks):
    job, certificates = queued
    die_after_first_page(job, certificates[0])
    with django_capture_on_commit_callbacks(execute=True):
        resumed, failed = print_jobs_recover()
    assert (resumed, failed) == ([job.pk], [])
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE and job.done == job.total == 2 and job.attempts == 2
    assert job.pdf and not job.error
    logged = sorted(CertificatePrint.objects.filter(print_job=job).values_list("certificate_id", flat=True))
    assert logged == sorted(c.pk for c in certificates)  # the first page is not logged twice


def test_a_job_out_of_attempts_is_failed_with_what_was_done(queued, settings):
    job, certificates = queued
    die_after_first_page(job, certificates[0], attempts=settings.XUEJI_PRINT_JOB_MAX_ATTEMPTS)
    resumed, failed = print_jobs_recover()
    assert (resumed, failed) == ([], [job.pk])
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED and job.finished_at is not None
    assert "已完成 1/2" in job.error and f"已尝试{settings.XUEJI_PRINT_JOB_MAX_ATTEMPTS}次" in job.error
    assert not job.pdf


def test_a_live_job_is_left_alone(queued, settings):
    job, certificates = queued
    die_after_first_page(job, certificates[0], silent_for=settings.XUEJI_PRINT_JOB_LEASE_SECONDS // 2)
    assert print_jobs_recover() == ([], [])
    job.refresh_from_db()
    assert job.status == PrintJobStatus.RUNNING and job.attempts == 1


def test_a_duplicate_delivery_of_the_task_does_nothing(queued):
    job, _ = queued
    print_job_run.call(job.pk)
    first = PrintJob.objects.get(pk=job.pk)
    assert first.status == PrintJobStatus.DONE and first.attempts == 1
    print_job_run.call(job.pk)  # delivered again (a retry, a second worker)
    again = PrintJob.objects.get(pk=job.pk)
    assert (again.status, again.attempts, again.pdf.name, again.finished_at) == \
        (PrintJobStatus.DONE, 1, first.pdf.name, first.finished_at)
    assert CertificatePrint.objects.filter(print_job=job).count() == 2
