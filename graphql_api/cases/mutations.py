"""The case lifecycle: create, edit the draft, attach evidence, submit, approve, reject,
withdraw, override a 一般不予 rule. Each mutation is one call of cases/services/cases.py."""

import graphene
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from graphene_file_upload.scalars import Upload

from cases import models as m
from cases.errors import RuleError
from cases.services import cases as services
from graphql_api.core import enums
from graphql_api.core.mutations import ServiceMutation, get_visible
from graphql_api.registry.types import StudentNode

from .types import CaseNode, EvidenceNode

FIELD_NAMES = {"student": "studentId", "destination_school": "destinationSchoolCode", "case": "id"}
TEXT_FIELDS = ("reason", "reason_text", "external_school", "external_province")


class CaseDraftInput(graphene.InputObjectType):
    """案卷可修改的字段;省略的字段不变,显式 null 清空。"""

    destination_school_code = graphene.String(description="转入学校的10位学校标识码(省内转学、随班就读)")
    transfer_scope = enums.TransferScope(description="转学范围")
    reason = graphene.String(description="事由类别代码,见 caseTypes.reasons")
    reason_text = graphene.String(description="事由说明")
    effective_on = graphene.Date(description="生效日期")
    end_on = graphene.Date(description="截止日期(休学等)")
    details = graphene.JSONString(description='其他信息(JSON 对象),如信息变更 {"changes": {"name": "新姓名"}}')
    stage = enums.Stage(description="学段(有学生时由其学籍决定)")
    external_school = graphene.String(description="省外学校名称")
    external_province = graphene.String(description="省外省份代码(2位)")


class CreateCaseInput(CaseDraftInput):
    """新建案卷;办理学校为调用者所在学校。"""

    case_type = graphene.String(required=True, description="变动类型代码,见 caseTypes")
    student_id = graphene.ID(description="学生 ID(多数类型必填)")


def case_fields(data):
    """Input (only the keys the caller sent) → the service's field names and values."""
    fields = {}
    for key, value in data.items():
        if key == "destination_school_code":
            fields["destination_school"] = _school_by_code(value) if value else None
        elif key in ("transfer_scope", "stage"):
            fields[key] = enums.value(value) or ""
        elif key == "details":
            if value is not None and not isinstance(value, dict):
                raise RuleError("details_not_object", "其他信息应为 JSON 对象", field="details")
            fields[key] = value or {}
        elif key in TEXT_FIELDS:
            fields[key] = value or ""
        elif key in ("effective_on", "end_on"):
            fields[key] = value
    return fields


def _school_by_code(code):
    school = m.School.objects.filter(code=code.strip()).first()
    if school is None:
        raise RuleError("school_not_found", "没有该学校标识码对应的学校", field="destination_school")
    return school


def _caller_school(user):
    profile = m.StaffProfile.objects.filter(user=user).select_related("school__county").first()
    if profile is None or profile.school is None:
        raise PermissionDenied  # cases are opened by the school that handles them, as in the admin
    return profile.school


def _case(info, global_id):
    return get_visible(info, CaseNode, global_id)


class CaseMutation(ServiceMutation):
    result = graphene.Field(CaseNode)
    field_names = FIELD_NAMES

    class Meta:
        abstract = True


class CreateCase(CaseMutation):
    class Arguments:
        input = CreateCaseInput(required=True)

    @classmethod
    def perform(cls, info, input):
        user = info.context.user
        school = _caller_school(user)
        student = get_visible(info, StudentNode, input["student_id"], "studentId") if input.get("student_id") else None
        fields = {k: v for k, v in case_fields(input).items() if v not in (None, "", {})}
        return services.case_create(acting_user=user, case_type=input["case_type"], school=school, student=student,
                                    **fields)


class UpdateCaseDraft(CaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = CaseDraftInput(required=True)

    @classmethod
    def perform(cls, info, id, input):
        return services.case_update_draft(acting_user=info.context.user, case=_case(info, id),
                                          changes=case_fields(input))


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
