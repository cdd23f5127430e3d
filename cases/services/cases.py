"""The lifecycle of a case document: create, edit the draft, attach evidence, submit, decide
(through the workflow), withdraw, override a "generally" rule, finalize (第二十二~二十五条…)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, WorkflowState

from cases import models as m
from cases import access
from cases.access import profile_of
from cases.audit import audit
from cases.case_types import get_case_type
from cases.errors import RuleError
from cases.workflow import current_step, stale_steps, user_may_act

from .sequences import sequence_next

EDITABLE_FIELDS = {"reason", "reason_text", "effective_on", "end_on", "details", "destination_school",
                   "transfer_scope", "external_school", "external_province", "stage"}
OPEN_FOR_EDIT = (m.CaseState.DRAFT, m.CaseState.RETURNED, m.CaseState.WITHDRAWN)
# Evidence is checked by its content, not its name (magic numbers of PDF, JPEG, PNG).
SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def _raise_all(errors):
    if errors:
        raise ValidationError(list(errors))


def _lock(case):
    return m.Case.objects.select_for_update().get(pk=case.pk)


def _save(case, acting_user, action, data=None):
    case.save()
    case.save_revision(user=acting_user, log_action=False)
    audit(case, action, acting_user=acting_user, data=data or {})
    return case


def is_submitter(case, user):
    """Only staff of the school that opened the case (or a superuser, or the system: None) act
    as its submitter: edit the draft, attach evidence, submit, withdraw."""
    if user is None or user.is_superuser:
        return True
    profile = profile_of(user)
    return profile is not None and profile.school_id == case.school_id


def may_withdraw(case, user):
    """Withdrawing (撤回) is the submitting side's act: the school's staff who opened the case or
    submitted its current run (or a superuser, or the system). A colleague or the head who
    decides the school step (separation of duties, ``workflow.user_may_act``) returns it
    (退回) instead; another unit never withdraws."""
    if user is None or user.is_superuser:
        return True
    if not is_submitter(case, user):
        return False
    run = case.current_workflow_state
    return user.pk == case.created_by_id or (run is not None and run.requested_by_id == user.pk)


def case_editable_by(case, user):
    return case.state in OPEN_FOR_EDIT and is_submitter(case, user)


def _check_submitter(case, acting_user):
    if not is_submitter(case, acting_user):
        raise PermissionDenied


@transaction.atomic
def case_create(*, acting_user, case_type, school, student=None, **fields):
    case_class = get_case_type(case_type)
    if case_class is None:
        raise RuleError("case_type_unknown", "未知的学籍变动类型", field="case_type")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise RuleError("case_field_unknown", f"未知字段:{','.join(sorted(unknown))}")
    # Only what the type declares is stored, typed (dates ISO, objects by key): case_types/fields.py.
    fields["details"] = case_class.clean_details(fields.get("details"))
    case = m.Case(case_type=case_type, school=school, student=student, created_by=acting_user, **fields)
    if case_class.student_required(case):
        if student is None:
            raise RuleError("case_student_required", "请选择学生", field="student")
        # 第十四条: only the school holding the student's registration (its latest, the open one if
        # any) starts a case; the former school reads the history, it does not act.
        registration = student.registrations.order_by("-started_on", "-id").first()
        if registration is None or registration.school_id != school.pk:
            raise RuleError("case_student_not_at_school", "该学生的学籍不在本校,不能办理(原学校只能查阅)",
                            field="student", article="第十四条")
        if acting_user is not None and not access.holds_student(acting_user, student):
            raise PermissionDenied
        case.registration = registration
        case.stage = registration.stage
    if not case.stage:
        raise RuleError("case_stage_required", "请选择学段", field="stage")
    _raise_all(case_class.check_fields(case))
    case.scope_code = school.scope_code
    case.destination_scope_code = case.destination_school.scope_code if case.destination_school_id else ""
    year = timezone.localdate().year
    case.number = f"XJ{year}{sequence_next(f'case:{year}'):07d}"
    case.live = False
    return _save(case, acting_user, "xueji.case.create", {"type": case_type})


def case_preview(*, acting_user, case_type, school, student=None, case=None, **fields):
    """The case as it would be saved with ``fields`` (nothing is written), for the form's live
    check: the same cleaning and the same subject rules as ``case_create``/``case_update_draft``."""
    case_class = get_case_type(case_type)
    if case_class is None:
        raise RuleError("case_type_unknown", "未知的学籍变动类型", field="case_type")
    if "details" in fields:
        fields["details"] = case_class.clean_details(fields["details"])
    if case is not None:
        if not case_editable_by(case, acting_user):
            raise PermissionDenied
        preview = m.Case.objects.get(pk=case.pk)
        for field, value in fields.items():
            if field in EDITABLE_FIELDS and not (field == "stage" and preview.registration_id):
                setattr(preview, field, value)
        return preview
    preview = m.Case(case_type=case_type, school=school, student=student,
                     **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    if student is not None:
        registration = student.registrations.filter(school=school).order_by("-started_on", "-id").first()
        if registration is None:
            raise RuleError("case_student_not_at_school", "该学生不在本校注册", field="student")
        preview.registration, preview.stage = registration, registration.stage
    return preview


@transaction.atomic
def case_update_draft(*, acting_user, case, changes):
    case = _lock(case)
    _check_submitter(case, acting_user)
    if case.state not in OPEN_FOR_EDIT:
        raise RuleError("case_not_editable", "案卷已提交或已办结,不能修改")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RuleError("case_field_unknown", f"未知字段:{','.join(sorted(unknown))}")
    if "stage" in changes and case.registration_id and changes["stage"] != case.stage:
        raise RuleError("case_stage_fixed", "学段由学生的学籍决定,不能修改", field="stage")
    if "details" in changes:
        changes = {**changes, "details": case.case_type_class.clean_details(changes["details"])}
    for field, value in changes.items():
        setattr(case, field, value)
    _raise_all(case.case_type_class.check_fields(case))
    case.destination_scope_code = case.destination_school.scope_code if case.destination_school_id else ""
    return _save(case, acting_user, "xueji.case.edit", {"fields": sorted(changes)})


def evidence_collection(case):
    """Private collection per supervising unit: 证明材料 / <scope code>."""
    root = Collection.get_first_root_node()
    parent = root.get_children().filter(name="证明材料").first() or root.add_child(name="证明材料")
    return parent.get_children().filter(name=case.scope_code).first() or parent.add_child(name=case.scope_code)


def _sniff(uploaded_file):
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    return next((kind for signature, kind in SIGNATURES.items() if head.startswith(signature)), None)


@transaction.atomic
def evidence_attach(*, acting_user, case, kind, uploaded_file, title=""):
    case = _lock(case)
    _check_submitter(case, acting_user)
    if case.state not in OPEN_FOR_EDIT:
        raise RuleError("case_not_editable", "案卷已提交或已办结,不能再上传材料")
    allowed = {k.code for k in case.case_type_class.required_evidence(case)} | {"other"}
    if kind not in allowed:
        raise RuleError("evidence_kind", "该案卷不需要此类材料", field="kind")
    if uploaded_file.size > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE:
        raise RuleError("evidence_too_large",
                        f"文件不能超过{settings.WAGTAILDOCS_MAX_UPLOAD_SIZE // (1024 * 1024)}MB", field="file")
    file_type = _sniff(uploaded_file)
    if file_type is None:
        raise RuleError("evidence_type", "只接受 PDF、JPEG 或 PNG 文件(按内容检查)", field="file")
    uploaded_file.name = f"{case.number}-{kind}.{file_type}"
    labels = {k.code: k.label for k in case.case_type_class.required_evidence(case)}
    document = get_document_model().objects.create(
        title=title or f"{case.number} {labels.get(kind, '其他材料')}", file=uploaded_file, collection=evidence_collection(case),
        uploaded_by_user=acting_user,
    )
    evidence = m.Evidence.objects.create(case=case, kind=kind, document=document, uploaded_by=acting_user)
    audit(case, "xueji.case.evidence", acting_user=acting_user, data={"kind": kind, "document": document.pk})
    return evidence


def missing_evidence(case):
    present = set(case.evidence.values_list("kind", flat=True))
    return [k for k in case.case_type_class.required_evidence(case) if k.code not in present]


def blocking_failures(case, *, at_submit=False):
    """Failed rules that stop the case. At submit, a "generally" rule only warns: the approving
    authority may override it; at final approval it blocks unless overridden."""
    overridden = {item["code"] for item in case.overrides}
    return [error for error in case.case_type_class.check_eligibility(case)
            if not getattr(error, "generally", False) or (not at_submit and error.code not in overridden)]


@transaction.atomic
def case_submit(*, acting_user, case):
    case = _lock(case)
    _check_submitter(case, acting_user)
    if case.state not in OPEN_FOR_EDIT:
        raise RuleError("case_not_editable", "案卷已提交或已办结")
    # What was entered is checked again (a required fact may depend on the reason chosen).
    _raise_all(case.case_type_class.check_fields(case))
    errors = [RuleError("evidence_missing", f"缺少证明材料:{kind.label}", field="evidence",
                        article=case.case_type_class.articles[0] if case.case_type_class.articles else "")
              for kind in missing_evidence(case)]
    errors += blocking_failures(case, at_submit=True)
    errors += conflicting_cases(case)
    _raise_all(errors)
    case.state = m.CaseState.IN_REVIEW
    case.submitted_at = timezone.now()
    case.decided_at = None  # a withdrawn case resubmitted
    case.save(update_fields=["state", "submitted_at", "decided_at"])
    audit(case, "xueji.case.submit", acting_user=acting_user)
    workflow_state = case.current_workflow_state
    stale = stale_steps(case, workflow_state) if workflow_state else []
    if workflow_state and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES and not stale:
        workflow_state.resume(user=acting_user)  # nothing approved has changed: the returning step again
    elif workflow_state and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        # Approvals bind what they approved: the content changed under decided steps, so this
        # run ends (its decisions stay on record, voided by this entry) and a new run starts
        # from the first affected step, which is the first decided one (cases/workflow.py).
        audit(case, "xueji.case.restart", acting_user=acting_user,
              data={"voided": [{"step": s.task.name, "by": s.finished_by_id, "at": s.finished_at.isoformat()}
                               for s in stale]})
        workflow_state.cancel(user=acting_user)
        case.get_workflow().start(case, acting_user)
    else:
        workflow = case.get_workflow()
        if workflow is None:  # the post_migrate sync has not run on this database
            raise RuleError("case_workflow_missing", "该变动类型尚未配置审批流程,请运行 manage.py migrate")
        workflow.start(case, acting_user)
    case.refresh_from_db()
    return case


OPEN_CASE_STATES = (m.CaseState.IN_REVIEW, m.CaseState.RETURNED)


def conflicting_cases(case):
    """The student's other open cases this one cannot run beside (see ``CaseType.compatible``).
    The student's row is locked first, so two submissions for one student are decided one
    after the other and cannot both pass."""
    if case.student_id is None:
        return []
    m.Student.objects.select_for_update().filter(pk=case.student_id).values_list("pk", flat=True).first()
    own = case.case_type_class
    others = (m.Case.objects.filter(student_id=case.student_id, state__in=OPEN_CASE_STATES)
              .exclude(pk=case.pk).only("number", "case_type").order_by("pk"))
    return [RuleError("case_conflict", f"该学生已有办理中的{other.type_name}({other.number}),"
                                        f"须待其办结或撤回后再提交{own.name}", field="case_type")
            for other in others if not own.compatible(other.case_type_class)]


def lock_student_registration(case):
    """Final approval's first step: the student (and their open registration) locked, so every
    rule re-checked after it sees what concurrent approvals committed, and none can change it
    until this approval commits."""
    if case.student_id is None:
        return
    m.Student.objects.select_for_update().filter(pk=case.student_id).values_list("pk", flat=True).first()
    list(m.Registration.objects.select_for_update().filter(student_id=case.student_id, status__in=m.OPEN_STATUSES)
         .values_list("pk", flat=True))


def _decide(case, acting_user, action, comment):
    state = current_step(case)
    if case.state != m.CaseState.IN_REVIEW or state is None:
        raise RuleError("case_not_in_review", "案卷不在审批中")
    state.task.specific.on_action(state, acting_user, action, comment=comment)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_approve(*, acting_user, case, comment=""):
    """Approve the current step; the last approval applies the case (cases/finish.py)."""
    return _decide(case, acting_user, "approve", comment)


@transaction.atomic
def case_reject(*, acting_user, case, comment):
    """Return the case to the submitter with a comment; the registry is untouched."""
    return _decide(case, acting_user, "reject", comment)


@transaction.atomic
def case_withdraw(*, acting_user, case):
    """The submitter withdraws before the decision; the same case may then be edited and
    resubmitted (a new round of approvals)."""
    case = _lock(case)
    if not may_withdraw(case, acting_user):
        raise PermissionDenied
    if case.is_decided:
        raise RuleError("case_decided", "案卷已办结,不能撤回")
    if case.state == m.CaseState.WITHDRAWN:
        raise RuleError("case_already_withdrawn", "案卷已撤回")
    workflow_state = case.current_workflow_state
    if workflow_state is not None:
        workflow_state.cancel(user=acting_user)
    case.state = m.CaseState.WITHDRAWN
    case.decided_at = timezone.now()
    case.save(update_fields=["state", "decided_at"])
    audit(case, "xueji.case.withdraw", acting_user=acting_user)
    return case


@transaction.atomic
def case_override(*, acting_user, case, rule_code, reason):
    """An approving authority overrides a 一般不予 rule, with the reason recorded."""
    case = _lock(case)
    failures = {e.code: e for e in case.case_type_class.check_eligibility(case)}
    never = failures.get(rule_code)
    if never is not None and not getattr(never, "generally", False):
        # Said before anything else: no authority may override this rule, whoever asks.
        raise RuleError("rule_not_overridable", f"{never.message}:该规定不得特批", field="rule_code",
                        article=never.article)
    state = current_step(case)
    if state is None or state.approver_school_id or not user_may_act(state, acting_user):
        raise PermissionDenied
    if not (reason or "").strip():
        raise RuleError("override_reason_required", "特批须说明理由", field="reason")
    failing = {code: e for code, e in failures.items() if getattr(e, "generally", False)}
    if rule_code not in failing:
        raise RuleError("override_not_applicable", "该规定不适用特批或本案未违反该规定", field="rule_code")
    case.overrides = [*case.overrides, {"code": rule_code, "article": failing[rule_code].article,
                                        "reason": reason.strip(), "by": acting_user.get_username(),
                                        "at": timezone.now().isoformat()}]
    case.save(update_fields=["overrides"])
    audit(case, "xueji.case.override", acting_user=acting_user, data={"code": rule_code, "reason": reason})
    return case


def case_finalize(*, case, acting_user):
    """Run by the workflow's finish action only: re-check every rule, apply the effect, close
    the case. Runs inside the approval's transaction, so a failure undoes the approval too."""
    case = _lock(case)
    if case.state != m.CaseState.IN_REVIEW:
        raise PermissionDenied
    run = case.workflow_states.order_by("-created_at", "-id").first()
    if run is not None and stale_steps(case, run):
        raise RuleError("case_changed_after_approval", "案卷内容在审批后发生变化,须重新审批")
    lock_student_registration(case)
    _raise_all(blocking_failures(case))
    case.case_type_class.apply(case, acting_user=acting_user)
    now = timezone.now()
    case.state = m.CaseState.APPROVED
    case.decided_at = now
    case.live = True
    case.has_unpublished_changes = False
    case.first_published_at = case.first_published_at or now
    case.last_published_at = now
    case.live_revision = case.latest_revision
    case.save()
    audit(case, "xueji.case.approve", acting_user=acting_user)
    return case
