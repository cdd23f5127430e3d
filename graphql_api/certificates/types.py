"""Certificates (证书、证明) and batch print jobs: records, with download URLs that are checked
again on every download (graphql_api/downloads.py)."""

import graphene
from django.urls import reverse

from cases import access
from cases import models as m
from graphql_api.accounts.types import User
from graphql_api.core import enums
from graphql_api.core.nodes import ScopedNode
from graphql_api.core.optimize import Join
from graphql_api.registry.types import RegistrationNode, SchoolNode, StudentNode

CertificateKind = enums.choices_enum("CertificateKind", m.CertificateKind, "证书证明类别")
RevokeKind = enums.choices_enum("RevokeKind", m.RevokeKind, "作废类别(第三十五条:只有错发的可换发)")
PrintJobStatus = enums.choices_enum("PrintJobStatus", m.PrintJobStatus, "批量打印状态")


class CertificateNode(ScopedNode):
    kind = graphene.Field(CertificateKind, required=True)
    student = graphene.Field(StudentNode, required=True)
    registration = graphene.Field(RegistrationNode)
    school = graphene.Field(SchoolNode, description="签发时的学校")
    issued_by = graphene.Field(User)
    revoke_kind = graphene.Field(RevokeKind, description="作废类别;未作废为空")
    replaces = graphene.Field(lambda: CertificateNode, description="本证书换发的错发证书")
    is_revoked = graphene.Boolean(required=True)
    download_url = graphene.String(required=True, description="PDF 下载地址(会话或令牌;每次下载都记入打印记录)")
    verify_url = graphene.String(required=True, description="公开验证地址(/verify/)")
    related = {
        "student": Join("student", "StudentNode"), "registration": Join("registration", "RegistrationNode"),
        "school": Join("school", "SchoolNode"), "issuedBy": Join("issued_by"),
        "replaces": Join("replaces", "CertificateNode"),
    }

    class Meta:
        model = m.Certificate
        name = "Certificate"
        fields = ("id", "serial", "check_code", "issued_at", "revoked_at", "revoke_reason", "replacement_reason")
        description = "证书证明:签发记录(PDF 每次按记录生成);毕业证书、结业证书每个学籍只签发一次(第三十五条)"

    @classmethod
    def scoped(cls, queryset, info):
        return access.certificates_visible(info.context.user, queryset)

    def resolve_revoke_kind(root, info):
        return root.revoke_kind or None

    def resolve_is_revoked(root, info):
        return root.is_revoked

    def resolve_download_url(root, info):
        return reverse("graphql_certificate_pdf", args=[root.pk])

    def resolve_verify_url(root, info):
        from cases.services.certificates import verification_url

        return verification_url(root)


class PrintJobNode(ScopedNode):
    status = graphene.Field(PrintJobStatus, required=True)
    created_by = graphene.Field(User)
    download_url = graphene.String(description="合并 PDF 的下载地址;完成前为空")
    related = {"createdBy": Join("created_by")}

    class Meta:
        model = m.PrintJob
        name = "PrintJob"
        fields = ("id", "created_at", "total", "done", "error", "finished_at")
        description = "批量打印任务:后台生成一个合并 PDF,done/total 为进度"

    @classmethod
    def scoped(cls, queryset, info):
        return access.print_jobs_visible(info.context.user, queryset)

    def resolve_download_url(root, info):
        return reverse("graphql_print_job_pdf", args=[root.pk]) if root.pdf else None
