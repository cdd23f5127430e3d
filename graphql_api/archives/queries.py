import graphene

from cases import models as m
from graphql_api.core.errors import ApiError
from graphql_api.core.ids import InvalidId, decode
from graphql_api.registry.types import StudentNode

from .types import Archive


class ArchiveQueries(graphene.ObjectType):
    archive = graphene.Field(Archive, student=graphene.ID(required=True),
                             description="学生的学籍档案;学生不存在或无权查看时为 null")

    def resolve_archive(root, info, student):
        try:
            pk = decode(student, StudentNode)
        except InvalidId:
            raise ApiError("无效的ID", "invalid_id") from None
        queryset = StudentNode.scoped(m.Student.objects.filter(pk=pk), info).select_related("paper_archive_school")
        found = queryset.first()
        return Archive(student=found) if found else None
