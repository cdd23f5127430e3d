"""Append to a student's archive (第十二、十三条): never edit; a correction is a new entry."""

import graphene
from django.core.exceptions import PermissionDenied

from cases import access
from cases.services.archives import archive_entry_append
from graphql_api.core import enums
from graphql_api.core.mutations import ServiceMutation, get_visible, get_writable
from graphql_api.registry.types import StudentNode

from .types import ArchiveEntryNode


class AppendArchiveEntry(ServiceMutation):
    """追加档案条目(综合素质、体检、奖励、资助、其他);更正时 correctsId 指向被更正的条目。
    只有学生在籍学校(及其主管部门)可以追加(第十四条)。"""

    result = graphene.Field(ArchiveEntryNode)
    field_names = {"student": "studentId", "corrects": "correctsId"}

    class Arguments:
        student_id = graphene.ID(required=True)
        kind = enums.ArchiveEntryKind(required=True)
        title = graphene.String(required=True)
        body = graphene.String()
        corrects_id = graphene.ID()

    @classmethod
    def perform(cls, info, student_id, kind, title, body="", corrects_id=None):
        user = info.context.user
        if not user.has_perm("cases.add_archiveentry"):
            raise PermissionDenied
        student = get_writable(info, StudentNode, student_id, "studentId")
        corrects = get_visible(info, ArchiveEntryNode, corrects_id, "correctsId") if corrects_id else None
        profile = access.profile_of(user)
        return archive_entry_append(acting_user=user, student=student, kind=enums.value(kind), title=title,
                                    body=body or "", corrects=corrects, school=profile.school if profile else None)


class ArchiveMutations(graphene.ObjectType):
    append_archive_entry = AppendArchiveEntry.Field()
