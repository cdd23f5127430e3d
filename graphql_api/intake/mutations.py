"""Excel intake into a registration case and the duplicate decisions (第八、十一条): each one call
of cases/services/intake.py, which checks who may act and every row."""

import graphene
from django.core.files.uploadedfile import UploadedFile
from graphene_file_upload.scalars import Upload

from cases.errors import RuleError
from cases.services.intake import duplicate_decide, intake_apply, intake_upload
from graphql_api.cases.types import CaseNode
from graphql_api.core import enums
from graphql_api.core.ids import InvalidId, decode
from graphql_api.core.mutations import BadId, ServiceMutation, get_visible
from graphql_api.registry.types import StudentNode

from .types import DuplicateVerdict, IntakeUploadNode

FIELD_NAMES = {"file": "file", "row": "row", "verdict": "verdict", "reason": "reason", "case": "caseId"}


class UploadIntake(ServiceMutation):
    """上传新生名单工作簿(GraphQL multipart 请求,.xlsx,按模板填写,最大 20MB)到新生注册案卷。
    逐行校验并全省查重;全部通过时名单写入案卷,否则什么也不写,逐行结果见 rows / resultUrl。
    超过 300 行的在后台校验,status 为 QUEUED/RUNNING,用 node(id) 查看进度(done/total)。"""

    result = graphene.Field(IntakeUploadNode)
    field_names = FIELD_NAMES

    class Arguments:
        case_id = graphene.ID(required=True, description="新生注册案卷")
        file = Upload(required=True)

    @classmethod
    def perform(cls, info, case_id, file):
        case = get_visible(info, CaseNode, case_id, "caseId")
        if not isinstance(file, UploadedFile):
            raise RuleError("intake_file_required", "请以 multipart 请求上传 Excel 工作簿", field="file")
        return intake_upload(acting_user=info.context.user, case=case, uploaded_file=file)


class ApplyIntake(ServiceMutation):
    """查重裁定完毕后,把校验通过的行写入案卷;不予导入的行不写入(仍在校验结果中)。"""

    result = graphene.Field(IntakeUploadNode)
    field_names = FIELD_NAMES

    class Arguments:
        upload_id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, upload_id):
        upload = get_visible(info, IntakeUploadNode, upload_id, "uploadId")
        return intake_apply(acting_user=info.context.user, upload=upload)


class DecideDuplicate(ServiceMutation):
    """裁定一处疑似重复(第十一条):SAME 同一人(该行不予新建学籍,应办理转学),DIFFERENT 不同人(准予建籍);
    须填写理由,记录后不能修改。每处都裁定后,全部通过的名单自动写入案卷。"""

    result = graphene.Field(IntakeUploadNode)
    field_names = {**FIELD_NAMES, "existing": "existingStudentId"}

    class Arguments:
        upload_id = graphene.ID(required=True)
        row = graphene.Int(required=True, description="Excel 行号(见 duplicates.row)")
        existing_student_id = graphene.ID(required=True, description="已有学生(见 duplicates.existingStudentId)")
        verdict = DuplicateVerdict(required=True)
        reason = graphene.String(required=True, description="裁定理由,如“家长户口簿核实,父母姓名不同”")

    @classmethod
    def perform(cls, info, upload_id, row, existing_student_id, verdict, reason):
        upload = get_visible(info, IntakeUploadNode, upload_id, "uploadId")
        try:  # the student is named by the upload's own row (the service checks it), not fetched
            existing = decode(existing_student_id, StudentNode)
        except InvalidId:
            raise BadId("existingStudentId") from None
        return duplicate_decide(acting_user=info.context.user, upload=upload, row=row, existing_id=existing,
                                verdict=enums.value(verdict), reason=reason)


class IntakeMutations(graphene.ObjectType):
    upload_intake = UploadIntake.Field()
    apply_intake = ApplyIntake.Field()
    decide_duplicate = DecideDuplicate.Field()
