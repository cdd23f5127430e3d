import graphene

from cases import access
from cases import models as m
from graphql_api.core.errors import ApiError
from graphql_api.core.ids import InvalidId, fetch, fetch_one
from graphql_api.core.nodes import ScopedConnectionField

from .filters import JurisdictionFilter, RegistrationFilter, SchoolClassFilter, SchoolFilter, StudentFilter
from .types import JurisdictionNode, RegistrationNode, SchoolClassNode, SchoolNode, StudentNode


class RegistryQueries(graphene.ObjectType):
    jurisdictions = ScopedConnectionField(JurisdictionNode, filterset_class=JurisdictionFilter,
                                          description="本单位范围内的行政区划")
    schools = ScopedConnectionField(SchoolNode, filterset_class=SchoolFilter, description="本单位范围内的学校")
    classes = ScopedConnectionField(SchoolClassNode, filterset_class=SchoolClassFilter, description="班级")
    registrations = ScopedConnectionField(RegistrationNode, filterset_class=RegistrationFilter, description="学籍")
    students = ScopedConnectionField(StudentNode, filterset_class=StudentFilter,
                                     description="学生:按学籍号、身份证号、姓名、学校、班级、状态、学段、年级查找")
    student = graphene.Field(StudentNode, id=graphene.ID(), registry_number=graphene.String(),
                             description="一名学生(按 ID 或学籍号);不存在或无权查看时为 null")

    def resolve_student(root, info, id=None, registry_number=None):
        if bool(id) == bool(registry_number):
            raise ApiError("请提供 id 或 registryNumber 之一", "invalid_argument")
        if id:
            try:
                return fetch(info, StudentNode, id)
            except InvalidId:
                raise ApiError("无效的ID", "invalid_id") from None
        # A G number is the ID number: only the holder finds the student by it (cases/search.py).
        held_only = not registry_number.startswith(("J", "L"))
        return fetch_one(info, StudentNode, "registry_number", registry_number,
                         narrow=access.students_held_q if held_only else None)
