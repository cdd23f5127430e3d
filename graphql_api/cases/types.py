"""Case documents: the case, its steps, evidence, comments and history; the case types."""

import json

import graphene
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from graphql import GraphQLError
from wagtail.log_actions import registry as log_actions
from wagtail.models import TaskState

from cases import access
from cases import models as m
from cases.workflow import user_may_act
from graphql_api.accounts.types import User
from graphql_api.core import enums
from graphql_api.core.errors import Error, errors_from_validation
from graphql_api.core.nodes import ScopedNode
from graphql_api.core.optimize import Join, Many, loaded, node_tree
from graphql_api.registry.types import JurisdictionNode, RegistrationNode, SchoolNode, StudentNode

from .loaders import case_ct, load_history, load_steps, of_visible_case, steps

StepStatus = graphene.Enum("StepStatus", [(value.upper(), value) for value, _ in TaskState.STATUS_CHOICES],
                           description="审批步骤状态")


# --- case types (the registry of cases/case_types) ------------------------------------------
class Reason(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True)


class EvidenceKind(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True)
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="需要此材料的事由类别;为空表示任何事由都需要")


class StepTemplate(graphene.ObjectType):
    level = graphene.Field(enums.ApprovalLevel, required=True)
    side = graphene.Field(enums.ApprovalSide, required=True)
    label = graphene.String(required=True)
    working_days = graphene.Int(required=True, description="办理时限(工作日)")


class Choice(graphene.ObjectType):
    code = graphene.String(required=True, description="代码(GraphQL 输入中为同名枚举成员)")
    label = graphene.String(required=True)


class FieldDeclaration(graphene.ObjectType):
    """案卷的一个字段的声明(前端据此生成表单;输入类型见 CaseFieldsInput 中该变动类型的成员)。"""

    key = graphene.String(required=True, description="字段键")
    input_name = graphene.String(required=True, description="在该变动类型输入中的字段名")
    kind = graphene.String(required=True, description="text、longtext、choice、multichoice、date、bool、int、id_number、"
                                                      "student、school、school_class、registrations、rows")
    label = graphene.String(required=True)
    help = graphene.String(required=True)
    article = graphene.String(required=True)
    required = graphene.Boolean(required=True, description="总是必填")
    required_for_reasons = graphene.List(graphene.NonNull(graphene.String), required=True,
                                         description="仅在这些事由时必填")
    conditionally_required = graphene.Boolean(required=True, description="视其他字段必填(如省内转学的转入班级)")
    choices = graphene.List(graphene.NonNull(Choice), required=True)
    rows = graphene.List(graphene.NonNull(lambda: FieldDeclaration), required=True, description="逐行填写的列")

    @staticmethod
    def of(item):
        from .inputs import input_name

        return FieldDeclaration(
            key=item.key, input_name=input_name(item), kind=item.kind, label=item.label, help=item.help,
            article=item.article, required=item.required is True,
            required_for_reasons=list(item.required) if isinstance(item.required, tuple) else [],
            conditionally_required=callable(item.required),
            choices=[Choice(code=c, label=str(label)) for c, label in item.choices],
            rows=[FieldDeclaration.of(sub) for sub in item.rows])


class FieldValue(graphene.ObjectType):
    """案卷中已填写的一个字段,按人读的方式:中文选项、对象名称、2026年12月1日。"""

    key = graphene.String(required=True)
    label = graphene.String(required=True)
    text = graphene.String(description="单值字段的文字")
    columns = graphene.List(graphene.NonNull(graphene.String), required=True, description="逐行字段的列名")
    rows = graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))), required=True)


class CaseType(graphene.ObjectType):
    """一种学籍变动:代码、名称、依据条款、事由、所需材料、审批步骤、字段。"""

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    articles = graphene.List(graphene.NonNull(graphene.String), required=True)
    reasons = graphene.List(graphene.NonNull(Reason), required=True)
    evidence_kinds = graphene.List(graphene.NonNull(EvidenceKind), required=True)
    steps = graphene.List(graphene.NonNull(StepTemplate), required=True, description="完整审批链(个案可能跳过部分步骤)")
    fields = graphene.List(graphene.NonNull(FieldDeclaration), required=True, description="案卷字段的声明")

    def resolve_fields(root, info):
        return [FieldDeclaration.of(item) for item in root.all_fields()]

    def resolve_reasons(root, info):
        return [Reason(code=code, label=label) for code, label in root.reasons.items()]

    def resolve_evidence_kinds(root, info):
        kinds = {}
        for reason, items in root.evidence.items():
            for kind in items:
                entry = kinds.setdefault(kind.code, EvidenceKind(code=kind.code, label=kind.label, reasons=[]))
                if reason != "*":
                    entry.reasons.append(reason)
        return list(kinds.values())

    def resolve_steps(root, info):
        return [StepTemplate(level=s.level, side=s.side, label=s.label, working_days=s.working_days)
                for s in root.steps]


# --- steps, evidence, history ----------------------------------------------------------------
class ApprovalStepNode(ScopedNode):
    name = graphene.String(required=True, description="步骤名称,如 转入学校同意")
    level = graphene.Field(enums.ApprovalLevel, required=True)
    side = graphene.Field(enums.ApprovalSide, required=True)
    status = graphene.Field(StepStatus, required=True)
    approver_school = graphene.Field(SchoolNode, description="审批学校(学校步骤)")
    approver_jurisdiction = graphene.Field(JurisdictionNode, description="审批部门(主管部门步骤)")
    approver_unit_name = graphene.String(description="审批单位名称")
    finished_by = graphene.Field(User)
    is_overdue = graphene.Boolean(required=True, description="进行中且已过办理期限")
    awaiting_me = graphene.Boolean(required=True, description="当前用户可以审批此步骤")
    loaded_attrs = {"approverJurisdiction": "_gql_jurisdiction"}  # for the scope guard (core/guard.py)
    related = {"approverSchool": Join("approver_school", "SchoolNode"), "finishedBy": Join("finished_by"),
               "name": Join("task"), "level": Join("task__registryapprovaltask"),
               "side": Join("task__registryapprovaltask")}

    class Meta:
        model = m.RegistryTaskState
        name = "ApprovalStep"
        fields = ("id", "approver_code", "due_on", "started_at", "finished_at", "comment")
        description = "审批步骤(审批单位、状态、办理期限、意见)"

    @classmethod
    def scoped(cls, queryset, info):
        return queryset.filter(of_visible_case(info), workflow_state__base_content_type=case_ct())

    def resolve_name(root, info):
        return root.task.name

    def resolve_level(root, info):
        return root.task.registryapprovaltask.level

    def resolve_side(root, info):
        return root.task.registryapprovaltask.side

    def resolve_approver_jurisdiction(root, info):
        if root.approver_school_id or not root.approver_code:
            return None
        if hasattr(root, "_gql_jurisdiction"):
            return root._gql_jurisdiction
        return m.Jurisdiction.objects.filter(code=root.approver_code).first()

    def resolve_approver_unit_name(root, info):
        unit = root.approver_school if root.approver_school_id else ApprovalStepNode.resolve_approver_jurisdiction(root, info)
        if unit is not None and root.approver_office == m.Office.EXAM:
            return f"{unit.name}{m.Office.EXAM.label}"
        return unit.name if unit else None

    def resolve_is_overdue(root, info):
        return bool(root.status == TaskState.STATUS_IN_PROGRESS and root.due_on and root.due_on < timezone.localdate())

    def resolve_awaiting_me(root, info):
        return root.status == TaskState.STATUS_IN_PROGRESS and user_may_act(root, info.context.user)


class Document(graphene.ObjectType):
    title = graphene.String(required=True)
    url = graphene.String(required=True, description="下载地址(会话或令牌均可;须有权查看所属案卷或学生)")
    file_size = graphene.Int()

    def resolve_url(root, info):
        return reverse("graphql_document", args=[root.pk])


class EvidenceNode(ScopedNode):
    kind_label = graphene.String(required=True)
    document = graphene.Field(Document, required=True)
    uploaded_by = graphene.Field(User)
    related = {"document": Join("document"), "uploadedBy": Join("uploaded_by"), "kindLabel": Join("case")}

    class Meta:
        model = m.Evidence
        name = "Evidence"
        fields = ("id", "kind", "uploaded_at")
        description = "证明材料"

    @classmethod
    def scoped(cls, queryset, info):
        return queryset.filter(case__in=access.visible(info.context.user, m.Case))

    def resolve_kind_label(root, info):
        labels = {k.code: k.label for kinds in root.case.case_type_class.evidence.values() for k in kinds}
        return labels.get(root.kind, "其他材料")


class RegistryLogEntryNode(ScopedNode):
    action_label = graphene.String(required=True)
    user = graphene.Field(User)
    data = graphene.JSONString()
    related = {"user": Join("user")}

    class Meta:
        model = m.RegistryLogEntry
        name = "RegistryLogEntry"
        fields = ("id", "action", "timestamp", "label")
        description = "操作记录(审计日志)"

    @classmethod
    def scoped(cls, queryset, info):
        return access.audit_entries_visible(info.context.user, queryset)

    def resolve_action_label(root, info):
        return str(log_actions.get_action_label(root.action))

    # A case's history is read by both its sides; an entry written with a student's G registry
    # number (a duplicate decision names the match) shows it masked to everyone (cases/access.py).
    def resolve_label(root, info):
        return access.g_numbers_masked(root.label)

    def resolve_data(root, info):
        return json.loads(access.g_numbers_masked(json.dumps(root.data, ensure_ascii=False))) if root.data else root.data


class Override(graphene.ObjectType):
    """一条特批记录(只增不改)。"""

    code = graphene.String(required=True, description="被特批的规定代码")
    article = graphene.String(required=True)
    reason = graphene.String(required=True, description="特批理由")
    by = graphene.String(required=True, description="特批人用户名")
    at = graphene.DateTime(description="特批时间")

    def resolve_code(root, info):
        return root.get("code", "")

    def resolve_article(root, info):
        return root.get("article", "")

    def resolve_reason(root, info):
        return root.get("reason", "")

    def resolve_by(root, info):
        return root.get("by", "")

    def resolve_at(root, info):
        from django.utils.dateparse import parse_datetime

        return parse_datetime(root["at"]) if root.get("at") else None


# --- the case -------------------------------------------------------------------------------
EVIDENCE = Many("evidence", "EvidenceNode", "_gql_evidence", lambda info: m.Evidence.objects.order_by("uploaded_at", "id"))
STEP_FIELDS = {"steps", "currentStep", "comments", "awaitingMe"}


class CaseNode(ScopedNode):
    prepared = True  # a case by number: its scope depends only on the caller (core/ids.py)
    case_type = graphene.String(required=True, description="变动类型代码,见 caseTypes")
    type_name = graphene.String(required=True)
    state = graphene.Field(enums.CaseState, required=True)
    student = graphene.Field(StudentNode)
    registration = graphene.Field(RegistrationNode)
    school = graphene.Field(SchoolNode, required=True, description="办理学校")
    destination_school = graphene.Field(SchoolNode, description="转入学校")
    transfer_scope = graphene.Field(enums.TransferScope)
    stage = graphene.Field(enums.Stage)
    details = graphene.JSONString(required=True, description="字段的存储形式(只读);读取请用 fields,输入请用 CaseFieldsInput")
    fields = graphene.List(graphene.NonNull(FieldValue), required=True, description="已填写的字段,中文显示")
    overrides = graphene.List(graphene.NonNull(lambda: Override), required=True,
                              description="特批记录:审批部门对“一般不予”规定的特批及理由")
    created_by = graphene.Field(User)
    evidence = graphene.List(graphene.NonNull(EvidenceNode), required=True)
    required_evidence = graphene.List(graphene.NonNull(EvidenceKind), required=True)
    missing_evidence = graphene.List(graphene.NonNull(EvidenceKind), required=True)
    steps = graphene.List(graphene.NonNull(ApprovalStepNode), required=True, description="本轮审批的全部步骤")
    current_step = graphene.Field(ApprovalStepNode)
    awaiting_me = graphene.Boolean(required=True, description="当前步骤等待当前用户审批")
    comments = graphene.List(graphene.NonNull(ApprovalStepNode), required=True,
                             description="各轮审批中签署了意见的步骤(含退回意见)")
    history = graphene.List(graphene.NonNull(RegistryLogEntryNode), required=True, description="操作记录")
    eligibility = graphene.List(graphene.NonNull(Error), required=True,
                                description="当前未满足的办理条件(仅单个案卷查询提供)")
    intake_template_url = graphene.String(description="新生注册案卷:Excel 新生名单模板的下载地址(含本校该学段的班级);"
                                                      "其他案卷为空。填好后用 uploadIntake 上传")
    loaded_attrs = {"steps": "_gql_steps", "currentStep": "_gql_steps", "comments": "_gql_comments",
                    "history": "_gql_history"}  # loaded by prepare(), checked by core/guard.py
    related = {
        "student": Join("student", "StudentNode"), "registration": Join("registration", "RegistrationNode"),
        "school": Join("school", "SchoolNode"), "destinationSchool": Join("destination_school", "SchoolNode"),
        "createdBy": Join("created_by"), "evidence": EVIDENCE, "missingEvidence": EVIDENCE,
    }

    class Meta:
        model = m.Case
        name = "Case"
        fields = ("id", "number", "external_school", "external_province", "reason", "reason_text", "effective_on",
                  "end_on", "created_at", "submitted_at", "decided_at")
        description = "学籍变动案卷"

    @classmethod
    def prepare(cls, cases, info, single=False):
        tree = node_tree(info)
        if cases and STEP_FIELDS & tree.keys():
            load_steps(cases)
        if cases and "history" in tree:
            load_history(cases, info)
        if cases and "fields" in tree:
            from cases.case_types.display import labels_for

            labels = labels_for(cases, info.context.user)  # one query per kind named, for the whole page
            for case in cases:
                case._gql_labels = labels
        for case in cases:
            case._gql_single = single

    def resolve_fields(root, info):
        return [FieldValue(key=item["key"], label=item["label"], text=item.get("text"), columns=item.get("columns", []),
                           rows=item.get("rows", []))
                for item in root.case_type_class.display(root, getattr(root, "_gql_labels", None),
                                                         user=info.context.user)]

    def resolve_transfer_scope(root, info):
        return root.transfer_scope or None

    def resolve_stage(root, info):
        return root.stage or None

    def resolve_evidence(root, info):
        return loaded(root, "_gql_evidence", root.evidence.order_by("uploaded_at", "id"))

    def resolve_required_evidence(root, info):
        return [EvidenceKind(code=k.code, label=k.label, reasons=[]) for k in root.case_type_class.required_evidence(root)]

    def resolve_missing_evidence(root, info):
        present = {e.kind for e in CaseNode.resolve_evidence(root, info)}
        return [k for k in CaseNode.resolve_required_evidence(root, info) if k.code not in present]

    def resolve_steps(root, info):
        return steps(root)[0]

    def resolve_comments(root, info):
        return steps(root)[1]

    def resolve_current_step(root, info):
        if root.state != m.CaseState.IN_REVIEW:
            return None
        return next((s for s in steps(root)[0] if s.status == TaskState.STATUS_IN_PROGRESS), None)

    def resolve_awaiting_me(root, info):
        step = CaseNode.resolve_current_step(root, info)
        return bool(step and user_may_act(step, info.context.user))

    def resolve_history(root, info):
        if not hasattr(root, "_gql_history"):
            load_history([root], info)
        return root._gql_history

    def resolve_intake_template_url(root, info):
        return reverse("graphql_intake_template", args=[root.pk]) if root.case_type == "registration" else None

    def resolve_eligibility(root, info):
        if not getattr(root, "_gql_single", False):
            raise GraphQLError("eligibility 仅在单个案卷查询(case 或 node)中提供", extensions={"code": "single_only"})
        failures = root.case_type_class.check_eligibility(root)
        return errors_from_validation(ValidationError(failures)) if failures else []
