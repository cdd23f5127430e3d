"""The archive (学籍档案, 第十二~十四条): append-only entries that follow the student."""

import graphene

from cases import access
from cases import models as m
from graphql_api.accounts.types import User
from graphql_api.cases.types import CaseNode, Document
from graphql_api.core import enums
from graphql_api.core.filters import ApiFilterSet, InputFilter, Ordering
from graphql_api.core.nodes import ScopedConnectionField, ScopedNode
from graphql_api.core.optimize import Join
from graphql_api.registry.types import SchoolNode, StudentNode


class ArchiveEntryNode(ScopedNode):
    kind = graphene.Field(enums.ArchiveEntryKind, required=True)
    student = graphene.Field(StudentNode, required=True)
    school = graphene.Field(SchoolNode, description="记录学校")
    corrects = graphene.Field(lambda: ArchiveEntryNode, description="本条更正的条目")
    case = graphene.Field(CaseNode, description="所属案卷")
    document = graphene.Field(Document)
    recorded_by = graphene.Field(User)
    related = {
        "student": Join("student", "StudentNode"), "school": Join("school", "SchoolNode"),
        "corrects": Join("corrects", "ArchiveEntryNode"), "case": Join("case", "CaseNode"),
        "document": Join("document"), "recordedBy": Join("recorded_by"),
    }

    title = graphene.String(required=True)
    body = graphene.String(required=True, description="正文;学籍所在单位及其主管部门以外,其中的学籍号(G)和身份证号只见部分")

    class Meta:
        model = m.ArchiveEntry
        name = "ArchiveEntry"
        fields = ("id", "title", "body", "recorded_at")
        description = "档案条目(只增不改,更正为新条目)"

    @classmethod
    def after_check(cls, entries, info):
        """An entry is written with the student's numbers at the time ("学籍号 G…"): a reader who
        does not hold the student reads them masked (cases/access.py). One query for whom the
        reader holds, one for the numbers of the others, for the whole page."""
        user = info.context.user
        held = access.students_held(user, [e.student_id for e in entries])
        others = {e.student_id for e in entries if e.student_id not in held}
        numbers = {pk: (number, id_number) for pk, number, id_number in m.Student.objects.filter(
            pk__in=others).values_list("pk", "registry_number", "id_number")} if others else {}
        for entry in entries:
            entry._gql_numbers = numbers.get(entry.student_id)

    def _shown(root, info, text):
        if not hasattr(root, "_gql_numbers"):
            ArchiveEntryNode.after_check([root], info)
        return access.numbers_masked_in(text, *root._gql_numbers) if root._gql_numbers else text

    def resolve_title(root, info):
        return ArchiveEntryNode._shown(root, info, root.title)

    def resolve_body(root, info):
        return ArchiveEntryNode._shown(root, info, root.body)


class ArchiveEntryFilter(ApiFilterSet):
    kind = InputFilter(enums.ArchiveEntryKind, field_name="kind", label="类别")
    order_by = Ordering("recorded_at")

    class Meta(ApiFilterSet.Meta):
        model = m.ArchiveEntry


class Archive(graphene.ObjectType):
    """一名学生的学籍档案:随学生转移(籍随人走),永久保存。"""

    student = graphene.Field(StudentNode, required=True)
    paper_archive_school = graphene.Field(SchoolNode, description="纸质档案保管学校")
    entries = ScopedConnectionField(ArchiveEntryNode, filterset_class=ArchiveEntryFilter)

    def resolve_paper_archive_school(root, info):
        return root.student.paper_archive_school

    def resolve_entries(root, info, **kwargs):
        return m.ArchiveEntry.objects.filter(student=root.student)
