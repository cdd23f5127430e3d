"""Scheduled jobs through the API (第十六条): runs listed for authorities (not schools), the
province approves the promotion's dry run and undoes it within the month; out of scope is
``not_found``, a broken rule answers with its article, a refusal writes nothing."""

import datetime

from django.utils import timezone
from graphql_relay import to_global_id

from cases import models as m
from cases.services.jobs import scheduler_tick
from tests.factories import SchoolClassFactory, SchoolFactory, staff_user
from tests.graphql.kit import Api, queries_for

SEPT = datetime.date(2026, 9, 1)
ERRORS = "errors { field code message article }"
APPROVE = f"""mutation($id: ID!) {{ approveJobRun(id: $id) {{ result {{ id status approvedBy {{ username }} }} {ERRORS} }} }}"""
UNDO = f"""mutation($id: ID!) {{ undoJobRun(id: $id) {{ result {{ id status undoneAt }} {ERRORS} }} }}"""
RUNS = """{ jobRuns(job: "promotion") { edges { node { id period status job { code name article needsApproval }
  preview { schoolYear promote complete classes { label classes } } outcome changes undoableUntil } } } }"""


def state():
    return (list(m.JobRun.objects.order_by("pk").values()), list(m.ClassPromotion.objects.order_by("pk").values()),
            list(m.SchoolClass.objects.order_by("pk").values_list("pk", "promoted_through")))


def test_promotion_approved_and_undone_by_the_province_only(db, gansu, chengguan, django_capture_on_commit_callbacks):
    school = SchoolFactory(county=chengguan, category="0")
    for cohort in (2020, 2024, 2025):
        SchoolClassFactory(school=school, stage="primary", cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(SEPT)
    run = m.JobRun.objects.get(job="promotion")
    run_id = to_global_id("JobRun", run.pk)
    province = Api(staff_user(gansu, role="reviewer"))
    county = Api(staff_user(chengguan, role="reviewer"))
    registrar = Api(staff_user(school))

    listed = province.data(RUNS)["jobRuns"]["edges"]
    assert [e["node"]["status"] for e in listed] == ["AWAITING_APPROVAL"]
    node = listed[0]["node"]
    assert node["job"] == {"code": "promotion", "name": "年度升级", "article": "第十六条", "needsApproval": True}
    assert node["preview"]["promote"] == 2 and node["preview"]["complete"] == 1 and node["undoableUntil"] is None
    assert county.data(RUNS)["jobRuns"]["edges"][0]["node"]["id"] == run_id  # authorities read the runs
    assert registrar.data(RUNS)["jobRuns"]["edges"] == []  # schools do not
    assert registrar.data("query($id: ID!) { node(id: $id) { id } }", {"id": run_id}) == {"node": None}

    before = state()
    assert registrar.data(APPROVE, {"id": run_id})["approveJobRun"] == {"result": None, "errors": [
        {"field": "id", "code": "not_found", "message": "对象不存在或无权访问", "article": ""}]}
    assert county.data(APPROVE, {"id": run_id})["approveJobRun"]["errors"][0]["code"] == "permission_denied"
    assert state() == before  # a dry run writes nothing until the province approves

    with django_capture_on_commit_callbacks(execute=True):
        approved = province.data(APPROVE, {"id": run_id})["approveJobRun"]
    assert approved["errors"] == [] and approved["result"]["approvedBy"]["username"] == province.user.username
    done = province.data(RUNS)["jobRuns"]["edges"][0]["node"]
    assert done["status"] == "DONE" and "2 个班级升入新年级" in done["outcome"]
    assert '"promoted": 2' in done["changes"] and done["undoableUntil"] is not None
    assert m.ClassPromotion.objects.filter(school_year=2026, voided_at__isnull=True).count() == 2

    before = state()
    twice = province.data(APPROVE, {"id": run_id})["approveJobRun"]
    assert [(e["code"], e["article"]) for e in twice["errors"]] == [("job_not_awaiting", "第十六条")]
    assert county.data(UNDO, {"id": run_id})["undoJobRun"]["errors"][0]["code"] == "permission_denied"
    assert registrar.data(UNDO, {"id": run_id})["undoJobRun"]["errors"][0]["code"] == "not_found"
    finished = run.__class__.objects.get(pk=run.pk).finished_at
    m.JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    late = province.data(UNDO, {"id": run_id})["undoJobRun"]
    assert [(e["code"], e["article"]) for e in late["errors"]] == [("job_undo_too_late", "第十六条")]
    m.JobRun.objects.filter(pk=run.pk).update(finished_at=finished)
    assert state() == before

    undone = province.data(UNDO, {"id": run_id})["undoJobRun"]
    assert undone["errors"] == [] and undone["result"]["status"] == "UNDONE"
    assert not m.ClassPromotion.objects.filter(school_year=2026, voided_at__isnull=True).exists()
    assert m.ClassPromotion.objects.filter(school_year=2026).count() == 2  # voided, kept
    assert m.RegistryLogEntry.objects.filter(action="xueji.job.undo").count() == 1


def test_job_runs_cost_the_same_queries_for_one_and_many(db, gansu, chengguan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(5):
            scheduler_tick(SEPT + datetime.timedelta(days=day))
    province = Api(staff_user(gansu, role="reviewer"))
    query = """{ jobRuns(first: %d) { edges { node { id period status job { name } preview { promote }
        approvedBy { username } undoneBy { username } outcome createdAt } } } }"""
    one, _ = queries_for(province, query % 1)
    many, data = queries_for(province, query % 5)
    assert len(data["jobRuns"]["edges"]) == 5 and one == many
    assert [j["code"] for j in province.data("{ jobs { code } }")["jobs"]] == [
        "promotion", "suspension_ends", "migrant_dropout_handover", "statistics"]
