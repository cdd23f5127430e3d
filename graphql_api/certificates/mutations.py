"""Issue, revoke and batch-print certificates: each one call of cases/services, with the model
permission the admin asks for (cases.add_certificate / change_certificate)."""

import graphene
from django.core.exceptions import PermissionDenied

from cases.errors import RuleError
from cases.services.certificates import certificate_issue, certificate_revoke
from cases.services.print_jobs import print_job_create
from graphql_api.cases.types import CaseNode
from graphql_api.core import enums
from graphql_api.core.mutations import NotFound, ServiceMutation, get_visible
from graphql_api.core.ids import InvalidId, decode
from graphql_api.core.mutations import BadId
from graphql_api.registry.types import StudentNode

from .types import CertificateKind, CertificateNode, PrintJobNode, RevokeKind

FIELD_NAMES = {"kind": "kind", "case": "caseId", "replaces": "replacesId", "replacement_reason": "replacementReason"}


def _require(info, permission):
    if not info.context.user.has_perm(permission):
        raise PermissionDenied


class IssueCertificate(ServiceMutation):
    """签发证书证明。毕业证书、结业证书每个学籍只签发一次;错发作废的由省级换发(replacesId + replacementReason)。"""

    result = graphene.Field(CertificateNode)
    field_names = FIELD_NAMES

    class Arguments:
        student_id = graphene.ID(required=True)
        kind = CertificateKind(required=True)
        case_id = graphene.ID(description="所属案卷(转学证明、休学证明)")
        replaces_id = graphene.ID(description="换发的错发证书(第三十五条,省级)")
        replacement_reason = graphene.String(description="换发原因")

    @classmethod
    def perform(cls, info, student_id, kind, case_id=None, replaces_id=None, replacement_reason=""):
        _require(info, "cases.add_certificate")
        student = get_visible(info, StudentNode, student_id, "studentId")
        case = get_visible(info, CaseNode, case_id, "caseId") if case_id else None
        replaces = get_visible(info, CertificateNode, replaces_id, "replacesId") if replaces_id else None
        return certificate_issue(acting_user=info.context.user, kind=enums.value(kind), student=student, case=case,
                                 replaces=replaces, replacement_reason=replacement_reason or "")


class RevokeCertificate(ServiceMutation):
    """作废证书证明(教育行政部门),须选择类别并填写原因;作废不重开签发(第三十五条)。"""

    result = graphene.Field(CertificateNode)
    field_names = FIELD_NAMES

    class Arguments:
        id = graphene.ID(required=True)
        kind = RevokeKind(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, info, id, kind, reason):
        _require(info, "cases.change_certificate")
        certificate = get_visible(info, CertificateNode, id)
        return certificate_revoke(acting_user=info.context.user, certificate=certificate, reason=reason,
                                  kind=enums.value(kind))


MAX_PRINT_JOB = 1000


class StartPrintJob(ServiceMutation):
    """批量打印:后台合并为一个 PDF;用 node(id) 或 printJobs 查看进度,完成后 downloadUrl 可下载。"""

    result = graphene.Field(PrintJobNode)

    class Arguments:
        certificate_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    @classmethod
    def perform(cls, info, certificate_ids):
        _require(info, "cases.view_certificate")
        if len(certificate_ids) > MAX_PRINT_JOB:
            raise RuleError("print_job_too_large", f"一次最多打印{MAX_PRINT_JOB}份", field="certificate_ids")
        try:
            pks = {decode(global_id, CertificateNode) for global_id in certificate_ids}
        except InvalidId:
            raise BadId("certificateIds") from None
        found = list(CertificateNode.scoped(CertificateNode._meta.model.objects.filter(pk__in=pks), info))
        if len(found) != len(pks):
            raise NotFound("certificateIds")
        return print_job_create(acting_user=info.context.user, certificates=found)


class PrintForClass(ServiceMutation):
    """批量打印一个班级或一份毕业生名册(案卷)的某类证书;issueMissing 为尚未签发的学生先签发(签发规则照常)。"""

    result = graphene.Field(PrintJobNode)
    missing = graphene.List(graphene.NonNull(graphene.String), description="未签发、未打印的学生")

    class Arguments:
        kind = CertificateKind(required=True)
        class_id = graphene.ID(description="班级")
        roll_id = graphene.ID(description="毕业/结业案卷(毕业生名册)")
        issue_missing = graphene.Boolean(default_value=False)

    @classmethod
    def perform(cls, info, kind, class_id=None, roll_id=None, issue_missing=False):
        from cases.services.print_jobs import print_job_for_class, print_job_for_roll
        from graphql_api.registry.types import SchoolClassNode

        _require(info, "cases.view_certificate")
        if bool(class_id) == bool(roll_id):
            raise RuleError("print_job_source", "请指定班级或毕业生名册之一", field="class_id")
        user, kind = info.context.user, enums.value(kind)
        if class_id:
            school_class = get_visible(info, SchoolClassNode, class_id, "classId")
            job, missing = print_job_for_class(acting_user=user, school_class=school_class, kind=kind,
                                               issue_missing=issue_missing)
        else:
            case = get_visible(info, CaseNode, roll_id, "rollId")
            job, missing = print_job_for_roll(acting_user=user, case=case, kind=kind, issue_missing=issue_missing)
        job.missing_names = [r.student.name for r in missing]
        return job

    @classmethod
    def mutate(cls, root, info, **arguments):
        payload = super().mutate(root, info, **arguments)
        payload.missing = getattr(payload.result, "missing_names", None) if payload.result else None
        return payload


class CertificateMutations(graphene.ObjectType):
    print_for_class = PrintForClass.Field()
    issue_certificate = IssueCertificate.Field()
    revoke_certificate = RevokeCertificate.Field()
    start_print_job = StartPrintJob.Field()
