"""Excel intake into a registration case (第八、十一条), and the registrar's duplicate decisions.

``intake_upload`` stores the workbook and checks it: inline for a small file, as a background
task (Django Tasks) with progress for a large one. Nothing reaches the case while any row is
refused or waits for a decision: a clean file fills the case at once (``case_update_draft``,
the case's own service); otherwise the registrar corrects and uploads again, or decides the
suspected duplicates (``duplicate_decide``) and then imports the rows that passed
(``intake_apply``). The registry itself changes only when the case is approved.
"""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cases import models as m
from cases.audit import audit
from cases.errors import RuleError
from cases.intake.checks import OK, PENDING, REFUSED, check_rows
from cases.intake.workbook import WorkbookError, read_rows, result_workbook

from .cases import case_editable_by, case_update_draft

INLINE_ROWS = 300  # larger files are checked by a worker, with progress on the upload
MAX_BYTES = 20 * 1024 * 1024
STATUS_LABELS = {OK: "通过", REFUSED: "不予导入", PENDING: "待裁定"}


def _check_case(case, acting_user):
    if case.case_type != "registration":
        raise RuleError("intake_case_type", "只有新生注册案卷可以导入新生名单", article="第八条")
    if not case_editable_by(case, acting_user):
        raise PermissionDenied


@transaction.atomic
def intake_upload(*, acting_user, case, uploaded_file):
    case = m.Case.objects.select_for_update().get(pk=case.pk)
    _check_case(case, acting_user)
    if uploaded_file.size > MAX_BYTES:
        raise RuleError("intake_file_too_large", "文件超过 20MB,请分批上传")
    content = uploaded_file.read()
    try:
        rows = read_rows(content)
    except WorkbookError as error:
        raise RuleError("intake_file_invalid", str(error), field="file") from error
    if not rows:
        raise RuleError("intake_file_empty", "工作簿中没有新生数据", field="file")
    upload = m.IntakeUpload(case=case, created_by=acting_user, total=len(rows))
    upload.file.save(f"intake-{case.number}.xlsx", ContentFile(content), save=False)
    upload.save()
    audit(case, "xueji.intake.upload", acting_user=acting_user, data={"upload": upload.pk, "rows": len(rows)})
    if len(rows) <= INLINE_ROWS:
        _run(upload, rows, content)
    else:
        transaction.on_commit(lambda: intake_check.enqueue(upload.pk))
    return upload


@task()
def intake_check(upload_id):
    upload = m.IntakeUpload.objects.select_related("case__school", "created_by").get(pk=upload_id)
    content = upload.file.open("rb").read()
    try:
        _run(upload, read_rows(content), content)
    except Exception as error:
        m.IntakeUpload.objects.filter(pk=upload.pk).update(status=m.IntakeStatus.FAILED, error=str(error)[:2000],
                                                           finished_at=timezone.now())
        raise
    return upload.pk


def _run(upload, rows, content):
    m.IntakeUpload.objects.filter(pk=upload.pk).update(status=m.IntakeStatus.RUNNING)

    def progress(done):  # committed per chunk when run by a worker, so the admin sees it move
        m.IntakeUpload.objects.filter(pk=upload.pk).update(done=done)

    upload.rows = check_rows(rows, case=upload.case, progress=progress)
    _finish(upload, content)


def _finish(upload, content=None):
    """Counts, status and the result workbook from ``upload.rows``; a clean file fills the case."""
    upload.refused = sum(r["status"] == REFUSED for r in upload.rows)
    upload.pending = sum(r["status"] == PENDING for r in upload.rows)
    upload.done = upload.total
    upload.status = (m.IntakeStatus.PENDING if upload.pending else
                     m.IntakeStatus.REFUSED if upload.refused else m.IntakeStatus.READY)
    content = content if content is not None else upload.file.open("rb").read()
    outcomes = {r["row"]: (STATUS_LABELS[r["status"]],
                           "\n".join(f"{e['message']}({e['article']})" for e in r["errors"]), r["status"])
                for r in upload.rows}
    upload.result.save(f"intake-result-{upload.case.number}.xlsx", ContentFile(result_workbook(content, outcomes)),
                       save=False)
    upload.finished_at = timezone.now()
    upload.save()
    if upload.status == m.IntakeStatus.READY:
        _fill_case(upload, upload.created_by)


def _fill_case(upload, acting_user):
    people = [r["person"] for r in upload.rows if r["status"] == OK]
    case = upload.case
    case_update_draft(acting_user=acting_user, case=case, changes={"details": {**(case.details or {}), "people": people}})
    upload.status = m.IntakeStatus.APPLIED
    upload.save(update_fields=["status"])


@transaction.atomic
def intake_apply(*, acting_user, upload):
    """Import the rows that passed, leaving out the refused ones: the registrar's decision once no
    suspected duplicate waits (the refused rows stay in the result workbook with their reasons)."""
    upload = m.IntakeUpload.objects.select_for_update().select_related("case").get(pk=upload.pk)
    _check_case(upload.case, acting_user)
    if upload.status not in (m.IntakeStatus.REFUSED, m.IntakeStatus.READY):
        raise RuleError("intake_not_ready", "还有疑似重复未裁定,或该名单已导入", article="第十一条")
    if not any(r["status"] == OK for r in upload.rows):
        raise RuleError("intake_nothing_to_apply", "没有通过校验的行可以导入", article="第十一条")
    _fill_case(upload, acting_user)
    return upload


@transaction.atomic
def duplicate_decide(*, acting_user, upload, row, existing_id, verdict, reason):
    """第十一条: the registrar says whether row ``row`` is the existing student. "Same person" refuses
    the row (the right case is a transfer); "different person" keeps it. Logged, never edited."""
    upload = m.IntakeUpload.objects.select_for_update().select_related("case").get(pk=upload.pk)
    _check_case(upload.case, acting_user)
    if verdict not in m.Verdict.values:
        raise RuleError("duplicate_verdict_invalid", "请选择“同一人”或“不同人”", field="verdict")
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("duplicate_reason_required", "请填写裁定理由", field="reason", article="第十一条")
    result = next((r for r in upload.rows if r["row"] == row), None)
    match = next((x for x in (result or {}).get("matches", []) if x["student"] == existing_id), None)
    if result is None or match is None:
        raise RuleError("duplicate_not_found", "该行没有这一疑似重复", field="row")
    if match.get("verdict"):
        raise RuleError("duplicate_already_decided", "该疑似重复已裁定", field="row")
    m.DuplicateDecision.objects.create(
        case=upload.case, upload=upload, row=row, person_key=result["key"], name=result["person"]["name"],
        existing_id=existing_id, verdict=verdict, reason=reason, decided_by=acting_user,
        scope_code=upload.case.scope_code)
    match["verdict"] = verdict
    _apply_verdict(result, match, verdict)
    audit(upload.case, "xueji.duplicate.decide", acting_user=acting_user,
          data={"row": row, "existing": match["registry_number"], "verdict": verdict, "reason": reason})
    _finish(upload)
    return upload


def _apply_verdict(result, match, verdict):
    suspected = [e for e in result["errors"] if e["code"] == "duplicate_suspected" and match["name"] in e["message"]
                 and match["registry_number"] in e["message"]]
    for error in suspected:
        result["errors"].remove(error)
    if verdict == m.Verdict.SAME:
        result["errors"].append({"code": "duplicate_person", "article": "第十一条", "message": (
            f"经裁定与已有学生 {match['name']}(学籍号 {match['registry_number']})为同一人,现{match['where']};"
            "不得重复建立学籍,应办理转学(转入)手续")})
        result["status"] = REFUSED
    elif result["status"] == PENDING and not any(x.get("verdict") is None for x in result["matches"]):
        result["status"] = OK
