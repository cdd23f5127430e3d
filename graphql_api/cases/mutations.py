"""The case lifecycle: create, edit the draft, attach evidence, submit, approve, reject,
withdraw, override a 一般不予 rule. Each mutation is one call of cases/services/cases.py."""

import graphene
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from graphene_file_upload.scalars import Upload

from cases import access
from cases import models as m
from cases.case_types import CASE_TYPES
from cases.errors import RuleError
from cases.services import cases as services
from cases.workflow import current_step, user_may_act
from graphql_api.core.mutations import BadId, NotFound, ServiceMutation, get_visible

from . import inputs

from .types import CaseNode, EvidenceNode

FIELD_NAMES = {"student": "studentId", "destination_school": "destinationSchoolId", "case": "id"}


class RuleWarning(graphene.ObjectType):
    """一条“一般不予”的规定:案卷仍可提交,须由审批的学籍主管部门说明理由特批才能批准。"""

    code = graphene.String(required=True, description="规定代码,特批时作为 ruleCode")
    message = graphene.String(required=True, description="中文说明")
    article = graphene.String(required=True, description="依据条款")
    may_override = graphene.Boolean(required=True, description="当前调用者现在可以特批(overrideRule)")
    overridden = graphene.Boolean(required=True, description="已特批")
    override_reason = graphene.String(description="特批理由")


def warnings_of(case, user):
    """The 一般不予 rules the case breaks now, and whether ``user`` may override them (the
    approving authority at its step). None for an approved case: decided, nothing to warn."""
    if case is None or not getattr(case, "pk", None) or case.state == m.CaseState.APPROVED:
        return []
    state = current_step(case)
    may = bool(state and not state.approver_school_id and user_may_act(state, user))
    overridden = {item["code"]: item for item in case.overrides}
    return [RuleWarning(code=e.code, message=e.message, article=e.article or "", may_override=may and e.code not in overridden,
                        overridden=e.code in overridden, override_reason=overridden.get(e.code, {}).get("reason"))
            for e in case.case_type_class.check_eligibility(case) if getattr(e, "generally", False)]


def _caller_school(user):
    profile = m.StaffProfile.objects.filter(user=user).select_related("school__county").first()
    if profile is None or profile.school is None:
        raise PermissionDenied  # cases are opened by the school that handles them, as in the admin
    return profile.school


def _case(info, global_id):
    return get_visible(info, CaseNode, global_id)


class CaseMutation(ServiceMutation):
    """A case mutation answers the case and the 一般不予 rules that apply to it now."""

    result = graphene.Field(CaseNode)
    warnings = graphene.List(graphene.NonNull(RuleWarning), required=True,
                             description="适用的“一般不予”规定(可提交,须审批部门特批)")
    field_names = FIELD_NAMES

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **arguments):
        payload = super().mutate(root, info, **arguments)
        case = payload.result
        if case is None and arguments.get("id"):
            case = _visible_or_none(info, arguments["id"])  # a refused step: the case as it stands
        payload.warnings = warnings_of(case, info.context.user) if case is not None else []
        return payload


def _visible_or_none(info, global_id):
    try:
        return _case(info, global_id)
    except (NotFound, BadId):
        return None


class TypedFieldsMutation(CaseMutation):
    """Errors name the member's own fields (``input.transfer.destinationClassId``)."""

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **arguments):
        payload = super().mutate(root, info, **arguments)
        member = next((key for key, value in (arguments.get("input") or {}).items() if value is not None), None)
        if member in inputs.MEMBERS:
            case_type = CASE_TYPES[inputs.MEMBERS[member]]
            for item in payload.errors or []:
                if item.field and item.field not in ("id", "input"):
                    item.field = f"input.{member}.{inputs.api_path(case_type, item.field)}"
        return payload


class CreateCase(TypedFieldsMutation):
    """新建案卷(草稿);办理学校为调用者所在学校。input 恰好给出一种变动类型的字段。"""

    class Arguments:
        input = inputs.CaseFieldsInput(required=True)

    @classmethod
    def perform(cls, info, input):
        user = info.context.user
        school = _caller_school(user)
        code, data = inputs.chosen_type(input)
        case_type = CASE_TYPES[code]
        student_pk, columns, details = inputs.service_fields(info, case_type, data)
        student = _student(info, student_pk)
        fields = {k: v for k, v in columns.items() if v not in (None, "")}
        return services.case_create(acting_user=user, case_type=code, school=school, student=student,
                                    details=details or {}, **fields)


class UpdateCaseDraft(TypedFieldsMutation):
    """修改草稿(或退回、撤回后的案卷);只改所给字段,显式 null 清空。成员须与案卷的变动类型一致。"""

    class Arguments:
        id = graphene.ID(required=True)
        input = inputs.CaseFieldsInput(required=True)

    @classmethod
    def perform(cls, info, id, input):
        case = _case(info, id)
        code, data = inputs.chosen_type(input)
        if code != case.case_type:
            raise RuleError("case_type_fixed", f"案卷的变动类型是{case.type_name},不能改为其他类型", field="input")
        _, columns, details = inputs.service_fields(info, case.case_type_class, data, case=case)
        if "student" in {i.key for i in case.case_type_class.all_fields()} and inputs.input_name(
                case.case_type_class.field("student")) in data:
            raise RuleError("case_student_fixed", "案卷的学生不能修改", field="student")
        changes = dict(columns)
        if details is not None:
            changes["details"] = details
        return services.case_update_draft(acting_user=info.context.user, case=case, changes=changes)


def _student(info, pk):
    if pk is None:
        return None
    student = access.pickable(info.context.user, "student").filter(pk=pk).first()
    if student is None:
        raise NotFound("studentId")
    return student


class AttachEvidence(ServiceMutation):
    """上传一份证明材料(GraphQL multipart 请求,PDF/JPEG/PNG,按内容检查)。"""

    result = graphene.Field(EvidenceNode)
    field_names = FIELD_NAMES

    class Arguments:
        case_id = graphene.ID(required=True)
        kind = graphene.String(required=True, description="材料类别代码,见 case.requiredEvidence;其他材料为 other")
        file = Upload(required=True)
        title = graphene.String()

    @classmethod
    def perform(cls, info, case_id, kind, file, title=""):
        case = get_visible(info, CaseNode, case_id, "caseId")
        if not isinstance(file, UploadedFile):
            raise RuleError("evidence_file_required", "请以 multipart 请求上传文件", field="file")
        return services.evidence_attach(acting_user=info.context.user, case=case, kind=kind, uploaded_file=file,
                                        title=title or "")


class SubmitCase(CaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        return services.case_submit(acting_user=info.context.user, case=_case(info, id))


class ApproveCase(CaseMutation):
    """审批当前步骤(同意);最后一步同意后案卷生效。"""

    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String()

    @classmethod
    def perform(cls, info, id, comment=""):
        return services.case_approve(acting_user=info.context.user, case=_case(info, id), comment=comment or "")


class RejectCase(CaseMutation):
    """退回修改(须填写意见)。"""

    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String(required=True)

    @classmethod
    def perform(cls, info, id, comment):
        return services.case_reject(acting_user=info.context.user, case=_case(info, id), comment=comment)


class WithdrawCase(CaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        return services.case_withdraw(acting_user=info.context.user, case=_case(info, id))


class OverrideRule(CaseMutation):
    """审批部门对“一般不予”的规定特批,须说明理由。"""

    field_names = {**FIELD_NAMES, "rule_code": "ruleCode"}

    class Arguments:
        id = graphene.ID(required=True)
        rule_code = graphene.String(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, info, id, rule_code, reason):
        return services.case_override(acting_user=info.context.user, case=_case(info, id), rule_code=rule_code,
                                      reason=reason)


class CaseMutations(graphene.ObjectType):
    create_case = CreateCase.Field()
    update_case_draft = UpdateCaseDraft.Field()
    attach_evidence = AttachEvidence.Field()
    submit_case = SubmitCase.Field()
    approve_case = ApproveCase.Field()
    reject_case = RejectCase.Field()
    withdraw_case = WithdrawCase.Field()
    override_rule = OverrideRule.Field()
