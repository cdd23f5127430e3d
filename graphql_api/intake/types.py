"""Excel intakes of a registration case and the registrars' duplicate decisions (第八、十一条):
records read from the upload (its rows' outcomes are stored on it), so a page of rows or of
suspected duplicates costs no query beyond the upload's own."""

import graphene
from django.urls import reverse

from cases import access
from cases import models as m
from cases.intake.checks import OK, PENDING, REFUSED
from cases.services.intake import STATUS_LABELS
from cases.services.students import DUPLICATE_REASONS
from graphql_api.accounts.types import User
from graphql_api.cases.types import CaseNode
from graphql_api.core import enums
from graphql_api.core.errors import ApiError, Error
from graphql_api.core.nodes import Node, ScopedNode
from graphql_api.core.optimize import Join
from graphql_api.registry.types import StudentNode

IntakeStatus = enums.choices_enum("IntakeStatus", m.IntakeStatus, "Excel 导入状态")
DuplicateVerdict = enums.choices_enum("DuplicateVerdict", m.Verdict, "查重裁定(第十一条)")
ROWS_MAX = 500


class IntakeRowStatus(graphene.Enum):
    OK = OK
    REFUSED = REFUSED
    PENDING = PENDING

    @property
    def description(self):
        return STATUS_LABELS[self.value] if self else "一行的校验结果:通过、不予导入、待裁定"


class DuplicateReason(graphene.Enum):
    SAME_ID_NUMBER = "same_id_number"
    SAME_NAME_GENDER_BIRTH = "same_name_gender_birth"
    SIMILAR_NAME_GENDER_BIRTH = "similar_name_gender_birth"

    @property
    def description(self):
        return DUPLICATE_REASONS[self.value] if self else "疑似重复的依据"


class IntakeRow(graphene.ObjectType):
    """工作簿中一行的校验结果(与校验结果工作簿的“导入结果”“问题说明”两列相同)。"""

    row = graphene.Int(required=True, description="Excel 行号(表头为第1行)")
    status = graphene.Field(IntakeRowStatus, required=True)
    status_label = graphene.String(required=True)
    name = graphene.String(description="该行填写的姓名")
    errors = graphene.List(graphene.NonNull(Error), required=True, description="该行的问题及依据条款")

    @staticmethod
    def of(row):
        person = row.get("person") or {}
        return IntakeRow(row=row["row"], status=row["status"], status_label=STATUS_LABELS[row["status"]],
                         name=row.get("name") or person.get("name"),
                         errors=[Error(field=None, code=e["code"], message=e["message"], article=e.get("article") or "")
                                 for e in row["errors"]])


class SuspectedDuplicate(graphene.ObjectType):
    """一行新生与全省已有学生的一处疑似重复(第十一条)。公民身份号码相同的是同一人(不能裁定,应办理转学);
    姓名读音、性别、出生日期相同的由学籍管理员裁定(decideDuplicate)。"""

    row = graphene.Int(required=True, description="Excel 行号")
    name = graphene.String(required=True, description="新生姓名")
    gender = graphene.Field(enums.Gender)
    birth_date = graphene.Date()
    existing_student_id = graphene.ID(required=True, description="已有学生的 ID(裁定时传入;在本单位范围内时可用 node 查看)")
    existing_name = graphene.String(required=True)
    existing_registry_number = graphene.String(required=True)
    where = graphene.String(required=True, description="已有学生现在的学校和学籍状态(校验时)")
    reason = graphene.Field(DuplicateReason, required=True)
    verdict = graphene.Field(DuplicateVerdict, description="已作出的裁定;未裁定为空")
    decidable = graphene.Boolean(required=True, description="可以裁定:未裁定,且不是公民身份号码相同")

    @staticmethod
    def of(row, match):
        import datetime

        person = row.get("person") or {}
        born = person.get("birth_date")
        return SuspectedDuplicate(
            row=row["row"], name=person.get("name", ""), gender=person.get("gender"),
            birth_date=datetime.date.fromisoformat(born) if born else None,
            existing_student_id=Node.to_global_id("Student", match["student"]), existing_name=match["name"],
            existing_registry_number=match["registry_number"], where=match["where"], reason=match["reason"],
            verdict=match.get("verdict"), decidable=match.get("verdict") is None and match["reason"] != "same_id_number")


def _window(first, offset):
    if first is None or offset is None or not 0 <= first <= ROWS_MAX or offset < 0:
        raise ApiError(f"first 为 0 至 {ROWS_MAX},offset 不能为负数", "invalid_page")
    return slice(offset, offset + first)


class IntakeUploadNode(ScopedNode):
    case = graphene.Field(CaseNode, required=True)
    created_by = graphene.Field(User)
    status = graphene.Field(IntakeStatus, required=True)
    result_url = graphene.String(description="校验结果工作簿(每行加“导入结果”“问题说明”)的下载地址;校验完成前为空")
    rows = graphene.List(
        graphene.NonNull(IntakeRow), required=True, status=graphene.Argument(IntakeRowStatus, description="只看这一种结果"),
        first=graphene.Int(default_value=100), offset=graphene.Int(default_value=0),
        description=f"逐行校验结果(按行号;每次最多 {ROWS_MAX} 行)")
    duplicates = graphene.List(
        graphene.NonNull(SuspectedDuplicate), required=True, undecided=graphene.Boolean(default_value=False),
        first=graphene.Int(default_value=100), offset=graphene.Int(default_value=0),
        description=f"疑似重复(查重工作台,第十一条);undecided 只看待裁定的(每次最多 {ROWS_MAX} 条)")
    related = {"case": Join("case", "CaseNode"), "createdBy": Join("created_by")}

    class Meta:
        model = m.IntakeUpload
        name = "IntakeUpload"
        fields = ("id", "created_at", "total", "done", "refused", "pending", "error", "finished_at")
        description = ("一次上传的新生名单工作簿:校验进度(done/total)、错误行数、待裁定行数;"
                       "全部通过时名单写入案卷(第八、十一条)")

    @classmethod
    def scoped(cls, queryset, info):
        return access.intake_uploads_visible(info.context.user, queryset)

    def resolve_result_url(root, info):
        return reverse("graphql_intake_result", args=[root.pk]) if root.result else None

    def resolve_rows(root, info, status=None, first=100, offset=0):
        wanted = getattr(status, "value", status)
        rows = [r for r in root.rows if wanted is None or r["status"] == wanted]
        return [IntakeRow.of(r) for r in rows[_window(first, offset)]]

    def resolve_duplicates(root, info, undecided=False, first=100, offset=0):
        found = [SuspectedDuplicate.of(r, match) for r in root.rows for match in r.get("matches", [])
                 if not undecided or (match.get("verdict") is None and match["reason"] != "same_id_number")]
        return found[_window(first, offset)]


class DuplicateDecisionNode(ScopedNode):
    case = graphene.Field(CaseNode, required=True)
    upload = graphene.Field(IntakeUploadNode, required=True)
    existing = graphene.Field(StudentNode, description="已有学生(在本单位范围内时)")
    verdict = graphene.Field(DuplicateVerdict, required=True)
    decided_by = graphene.Field(User)
    related = {"case": Join("case", "CaseNode"), "upload": Join("upload", "IntakeUploadNode"),
               "existing": Join("existing", "StudentNode"), "decidedBy": Join("decided_by")}

    class Meta:
        model = m.DuplicateDecision
        name = "DuplicateDecision"
        fields = ("id", "row", "name", "reason", "decided_at")
        description = "学籍管理员对疑似重复的裁定(第十一条):只增不改,上级主管部门可查"

    @classmethod
    def scoped(cls, queryset, info):
        return access.duplicate_decisions_visible(info.context.user, queryset)
