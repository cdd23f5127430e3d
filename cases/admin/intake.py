"""Excel intake and the duplicate workbench (第十一条) in the admin.

The page of a registration case's intake: the template to download, the upload form, each
upload's progress and result workbook, the refused rows with their reasons, and every suspected
duplicate side by side with the existing record for the registrar to decide. The case must be
in the user's scope (404 otherwise, like a missing one); the services check who may act.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from wagtail import hooks

from cases import access
from cases import models as m
from cases.errors import rule_errors
from cases.intake.checks import case_template
from cases.services.cases import case_editable_by
from cases.services.intake import duplicate_decide, intake_apply, intake_upload
from cases.services.students import name_pinyin

from .widgets import ChineseFileInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(label="新生名单工作簿(.xlsx)", widget=ChineseFileInput)


def _case(request, pk):
    return access.get_in_scope_or_404(request.user, m.Case, m.Case.objects.select_related("school"), pk=pk,
                                      case_type="registration")


def _report(request, error):
    for item in rule_errors(error):
        messages.error(request, item["message"] + (f"({item['article']})" if item["article"] else ""))


def _side_by_side(upload, user):
    """Each undecided (or decided) match of the upload: the new row and the existing record, the
    latter as ``user`` may read it (the check spans the province: an existing student held by
    another unit shows its ID and G registry numbers masked, cases/access.py)."""
    rows = [r for r in upload.rows if r["matches"]][:ROWS_SHOWN]
    ids = {x["student"] for r in rows for x in r["matches"]}
    students = m.Student.objects.in_bulk(ids)
    access.personal_view(user, students.values())
    guardians = {}
    for guardian in m.Guardian.objects.filter(student_id__in=ids):
        guardians.setdefault(guardian.student_id, []).append(f"{guardian.relation} {guardian.name}")
    pairs = []
    for row in rows:
        person = row["person"] or {}
        for match in row["matches"]:
            student = students.get(match["student"])
            if student is None:
                continue
            pairs.append({
                "row": row["row"], "match": match, "new": person, "existing": student,
                "new_pinyin": name_pinyin(person.get("name", "")),
                "new_guardians": "、".join(f"{g['relation']} {g['name']}" for g in person.get("guardians", [])),
                "existing_guardians": "、".join(guardians.get(student.pk, [])),
                "decidable": match.get("verdict") is None and match["reason"] != "same_id_number",
            })
    return pairs


def intake_page(request, pk):
    case = _case(request, pk)
    uploads = list(case.intake_uploads.select_related("created_by")[:10])
    latest = uploads[0] if uploads else None
    refused = [r for r in latest.rows if r["status"] != "ok"][:ROWS_SHOWN] if latest else []
    return render(request, "cases/admin/intake.html", {
        "case": case, "uploads": uploads, "latest": latest, "refused": refused,
        "pairs": _side_by_side(latest, request.user) if latest else [], "form": UploadForm(),
        "editable": case_editable_by(case, request.user), "verdicts": m.Verdict.choices,
        "people_count": len((case.details or {}).get("people") or []),
    })


def intake_template(request, pk):
    case = _case(request, pk)
    response = HttpResponse(case_template(case), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="intake-template-{case.stage}.xlsx"'
    return response


@require_POST
def intake_upload_view(request, pk):
    case = _case(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的 Excel 工作簿")
        return redirect("xueji_intake", case.pk)
    try:
        upload = intake_upload(acting_user=request.user, case=case, uploaded_file=form.cleaned_data["file"])
    except PermissionDenied:
        raise
    except ValidationError as error:
        _report(request, error)
        return redirect("xueji_intake", case.pk)
    if upload.status == m.IntakeStatus.APPLIED:
        messages.success(request, f"全部 {upload.total} 行校验通过,已写入案卷")
    elif upload.status == m.IntakeStatus.QUEUED:
        messages.info(request, f"共 {upload.total} 行,正在后台校验,请稍后刷新查看进度")
    else:
        messages.error(request, f"校验未通过:错误 {upload.refused} 行,待裁定 {upload.pending} 行;未写入案卷")
    return redirect("xueji_intake", case.pk)


def _upload(request, pk):
    upload = access.intake_uploads_visible(request.user, m.IntakeUpload.objects.select_related("case")).filter(
        pk=pk).first()
    if upload is None:
        raise Http404
    return upload


def intake_result(request, pk):
    upload = _upload(request, pk)
    if not upload.result:
        raise Http404
    response = FileResponse(upload.result.open("rb"), content_type=XLSX, as_attachment=True,
                            filename=f"intake-result-{upload.case.number}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def intake_decide(request, pk):
    upload = _upload(request, pk)
    try:
        duplicate_decide(acting_user=request.user, upload=upload, row=int(request.POST.get("row", 0)),
                         existing_id=int(request.POST.get("existing", 0)), verdict=request.POST.get("verdict", ""),
                         reason=request.POST.get("reason", ""))
        messages.success(request, "已记录查重裁定")
    except ValueError:
        messages.error(request, "裁定参数有误")
    except ValidationError as error:
        _report(request, error)
    return redirect("xueji_intake", upload.case_id)


@require_POST
def intake_apply_view(request, pk):
    upload = _upload(request, pk)
    try:
        intake_apply(acting_user=request.user, upload=upload)
        messages.success(request, "已将通过校验的行写入案卷;不予导入的行未写入")
    except ValidationError as error:
        _report(request, error)
    return redirect("xueji_intake", upload.case_id)


def decisions_page(request):
    """The authority's view of its schools' duplicate decisions (第十一条)."""
    scope = access.scope_of(request.user)
    if scope.is_empty:
        raise PermissionDenied
    decisions = list(access.duplicate_decisions_visible(request.user)
                     .select_related("case__school", "existing", "decided_by")[:500])
    access.personal_view(request.user, [d.existing for d in decisions])  # held elsewhere: masked
    return render(request, "cases/admin/duplicate_decisions.html", {"decisions": decisions})


@hooks.register("register_admin_urls")
def intake_urls():
    return [
        path("intake/<int:pk>/", intake_page, name="xueji_intake"),
        path("intake/<int:pk>/template.xlsx", intake_template, name="xueji_intake_template"),
        path("intake/<int:pk>/upload/", intake_upload_view, name="xueji_intake_upload"),
        path("intake/uploads/<int:pk>/result.xlsx", intake_result, name="xueji_intake_result"),
        path("intake/uploads/<int:pk>/decide/", intake_decide, name="xueji_intake_decide"),
        path("intake/uploads/<int:pk>/apply/", intake_apply_view, name="xueji_intake_apply"),
        path("duplicate-decisions/", decisions_page, name="xueji_duplicate_decisions"),
    ]
