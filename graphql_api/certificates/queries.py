import graphene

from graphql_api.core.filters import ApiFilterSet, InputFilter, NodeFilter, Ordering
from graphql_api.core.nodes import ScopedConnectionField

from cases import models as m

from .types import CertificateKind, CertificateNode, PrintJobNode


class CertificateFilter(ApiFilterSet):
    student = NodeFilter("StudentNode", field_name="student_id", label="学生")
    kind = InputFilter(CertificateKind, field_name="kind", label="类别")
    serial = InputFilter(graphene.String, field_name="serial", label="编号")
    revoked = InputFilter(graphene.Boolean, field_name="revoked_at", lookup_expr="isnull", exclude=True,
                          label="已作废")
    order_by = Ordering("issued_at", "serial")

    class Meta(ApiFilterSet.Meta):
        model = m.Certificate


class PrintJobFilter(ApiFilterSet):
    order_by = Ordering("created_at")

    class Meta(ApiFilterSet.Meta):
        model = m.PrintJob


class CertificateQueries(graphene.ObjectType):
    certificates = ScopedConnectionField(CertificateNode, filterset_class=CertificateFilter,
                                         description="本单位可见学生的证书证明")
    print_jobs = ScopedConnectionField(PrintJobNode, filterset_class=PrintJobFilter,
                                       description="批量打印任务(自己提交的,及全部证书均在本单位范围内的)")
