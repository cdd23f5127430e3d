"""Case documents (学籍变动): every change of status is a case with evidence that moves
through approvals by jurisdiction and, on final approval, changes the registry.

One model for every case type: what differs per type (rules, evidence, approval chain,
effect) lives in ``cases/case_types/<type>.py``; ``get_workflow()`` picks the type's
workflow, because Wagtail allows one workflow per model otherwise.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    Task,
    TaskState,
    Workflow,
    WorkflowMixin,
)

from cases.appendonly import DecidedCaseHistoryQuerySet

from .registrations import Registration
from .schools import School
from .students import Student


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审批中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    WITHDRAWN = "withdrawn", _("已撤回(可修改后重新提交)")


# Only an approved case is history; a withdrawn one is edited and resubmitted (the same case).
DECIDED_STATES = (CaseState.APPROVED,)
# Approved cases whose destination may hold no registration of the student (随班就读: the student
# stays registered at the origin): the destination reads the student through the case for good.
CASE_TYPES_NAMING_DESTINATION = ("special_placement",)


class TransferScope(models.TextChoices):
    WITHIN = "within", _("省内转学")
    OUT_OF_PROVINCE = "out", _("转出省外")
    INTO_PROVINCE = "in", _("省外转入")


class Case(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel):
    number = models.CharField(_("案卷编号"), max_length=20, unique=True, editable=False)
    case_type = models.CharField(_("变动类型"), max_length=32, db_index=True)
    state = models.CharField(_("状态"), max_length=12, choices=CaseState.choices, default=CaseState.DRAFT,
                             db_index=True)
    student = models.ForeignKey(Student, verbose_name=_("学生"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="cases")
    registration = models.ForeignKey(Registration, verbose_name=_("学籍"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="cases")
    school = models.ForeignKey(School, verbose_name=_("办理学校"), on_delete=models.PROTECT, related_name="cases")
    destination_school = models.ForeignKey(School, verbose_name=_("转入学校"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="incoming_cases")
    transfer_scope = models.CharField(_("转学范围"), max_length=8, choices=TransferScope.choices, blank=True)
    external_school = models.CharField(_("省外学校"), max_length=100, blank=True,
                                       help_text=_("省外转入或转出时对方学校名称"))
    external_province = models.CharField(_("省外省份代码"), max_length=2, blank=True)
    stage = models.CharField(_("学段"), max_length=12, blank=True)
    reason = models.CharField(_("事由类别"), max_length=32, blank=True)
    reason_text = models.TextField(_("事由说明"), blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    end_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("休学截止日期等"))
    details = models.JSONField(_("其他信息"), default=dict, blank=True)
    # Codes of "一般不予" rules the approving authority overrode, with the reasons.
    overrides = models.JSONField(_("特批记录"), default=list, blank=True)
    # Scope columns: the unit codes of both sides, so either side's staff can find the case.
    scope_code = models.CharField(max_length=12, db_index=True, editable=False)
    destination_scope_code = models.CharField(max_length=12, db_index=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")  # a decided case is never rewritten
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学籍变动案卷")
        verbose_name_plural = _("学籍变动案卷")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Lists, newest first: the province's page of fifty is the head of this index, not a
            # sort of every case of the years (a county's walks it until fifty of its own).
            models.Index(fields=["-created_at", "-id"], name="case_newest_first"),
            # The cases through which alone a unit reads their subject (access._cases_naming):
            # the ones in flight, and approved placements at their destination. Short ranges by
            # scope code, however many approved cases the years add.
            models.Index(fields=["scope_code", "student"], name="case_undecided_origin",
                         condition=Q(student__isnull=False) & ~Q(state__in=DECIDED_STATES)),
            models.Index(fields=["destination_scope_code", "student"], name="case_naming_destination",
                         condition=Q(student__isnull=False) & (~Q(state__in=DECIDED_STATES)
                                                               | Q(case_type__in=CASE_TYPES_NAMING_DESTINATION))),
        ]

    def __str__(self):
        subject = self.student.name if self.student_id else self.school.name
        return f"{self.number} {self.type_name} {subject}"

    @property
    def case_type_class(self):
        from cases.case_types import get_case_type

        return get_case_type(self.case_type)

    @property
    def subject_label(self):
        """Who the case is about, for lists: the student, or a batch's size (新生名单 3 人)."""
        if self.student_id:
            return self.student.name
        case_type = self.case_type_class
        if case_type is not None:
            for item in case_type.all_fields():
                if item.kind in ("rows", "registrations"):
                    count = len(case_type.value(self, item.key) or [])
                    if count:
                        return f"{item.label} {count} 人"
            name = (self.details or {}).get("name") if isinstance(self.details, dict) else None
            if name:
                return name  # a deferred registration names its child
        return "—"

    @property
    def type_name(self):
        from cases.case_types import CASE_TYPES

        return CASE_TYPES[self.case_type].name if self.case_type in CASE_TYPES else self.case_type

    def get_latest_revision_as_object(self):
        # The services write every change to the row and a revision together, and decide state
        # (submitted, approved…) on the row only: the row is the current document, revisions
        # are its history. Wagtail's editor would otherwise show the draft revision's stale state.
        return self

    def get_workflow(self):
        from cases.workflow import workflow_for

        return workflow_for(self.case_type)

    @property
    def is_decided(self):
        # A withdrawn case is not decided: its submitter edits and resubmits the same case.
        return self.state in DECIDED_STATES

    # A decided case is history: its row is never written again (a trigger refuses it on
    # PostgreSQL too, with its revisions, workflow and approval records). Corrections are new
    # cases. The stored state is read from the database: an instance in memory may be stale.
    def _stored_decided(self):
        return not self._state.adding and type(self)._base_manager.filter(
            pk=self.pk, state__in=DECIDED_STATES).exists()

    def save(self, *args, **kwargs):
        from cases.appendonly import AppendOnlyError

        if self._stored_decided():
            raise AppendOnlyError("已办结的案卷")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from cases.appendonly import AppendOnlyError

        if self.state in DECIDED_STATES or self._stored_decided():
            raise AppendOnlyError("已办结的案卷")
        return super().delete(*args, **kwargs)


class Evidence(models.Model):
    """证明材料: a private Wagtail document attached to a case."""

    # A plain foreign key, not a ParentalKey: evidence is appended to the case itself, never
    # carried in (or restored from) the case's draft revisions.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("材料类别"), max_length=32)
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("文件"), on_delete=models.PROTECT,
                                 related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = DecidedCaseHistoryQuerySet.as_manager()  # a decided case's evidence is history

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.document.title


class ApprovalLevel(models.TextChoices):
    SCHOOL = "school", _("学校")
    AUTHORITY = "authority", _("学籍主管部门")
    EXAM_AUTHORITY = "exam", _("省级考试机构")
    PROVINCE = "province", _("省级学籍管理部门")


class ApprovalSide(models.TextChoices):
    ORIGIN = "origin", _("转出(原)方")
    DESTINATION = "destination", _("转入方")


class RegistryApprovalTask(Task):
    """One approval step: who approves is decided per case from the case's schools, the
    step's level and its side (第三、二十二条)."""

    level = models.CharField(_("审批层级"), max_length=10, choices=ApprovalLevel.choices)
    side = models.CharField(_("审批方"), max_length=12, choices=ApprovalSide.choices, default=ApprovalSide.ORIGIN)
    working_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"), default=10)

    admin_form_fields = Task.admin_form_fields + ["level", "side", "working_days"]
    task_state_class = None  # set below, once RegistryTaskState exists

    class Meta:
        verbose_name = _("学籍审批步骤")
        verbose_name_plural = _("学籍审批步骤")

    def start(self, workflow_state, user=None):
        from cases.workflow import task_start

        return task_start(self, workflow_state, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        from cases.workflow import task_on_action

        return task_on_action(self, task_state, user, action_name, **kwargs)

    def user_can_access_editor(self, obj, user):
        from cases.workflow import user_is_step_approver

        return user_is_step_approver(self, obj, user)

    def locked_for_user(self, obj, user):
        from cases.workflow import user_is_step_approver

        return not user_is_step_approver(self, obj, user)

    def get_actions(self, obj, user):
        from cases.workflow import step_actions

        return step_actions(self, obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from cases.workflow import task_states_awaiting

        return task_states_awaiting(user).filter(task=self)

    @classmethod
    def get_description(cls):
        return _("由案卷所涉学校或学籍主管部门按层级审批")


class RegistryTaskState(TaskState):
    """A step in progress or done: who must act (unit code) and by when (working days)."""

    approver_code = models.CharField(_("审批单位代码"), max_length=12, db_index=True, blank=True)
    approver_school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Which unit of that jurisdiction: its registry authority, or the exam authority (第二十二条).
    approver_office = models.CharField(_("审批部门"), max_length=10, default="registry", blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    # The digest of the case's content this step approved (cases/workflow.py: content_digest):
    # a decision binds only that content; a changed case restarts from the first step whose
    # digest no longer matches.
    content_digest = models.CharField(_("审批内容摘要"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审批步骤状态")
        verbose_name_plural = _("审批步骤状态")


RegistryApprovalTask.task_state_class = RegistryTaskState


class CaseWorkflow(models.Model):
    """Which Wagtail workflow a case type goes through (kept in step with the code)."""

    case_type = models.CharField(max_length=32, unique=True)
    workflow = models.OneToOneField(Workflow, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("变动类型审批流程")
        verbose_name_plural = _("变动类型审批流程")
