"""Class placement (分班, single and bulk), classes, students' contact details. New students are
registered through a registration case (``createCase(input: {registration: …})``, 第八、十二条:
the authority approves the intake)."""

import graphene
from django.core.exceptions import PermissionDenied

from cases import models as m
from cases.errors import RuleError
from cases.services.placement import registrations_assign_class
from cases.services.registrations import registration_assign_class, school_class_create, school_class_rename
from cases.services.students import student_update_contact
from graphql_api.core import enums
from graphql_api.core.ids import InvalidId, decode
from graphql_api.core.mutations import BadId, NotFound, ServiceMutation, get_writable

from .types import RegistrationNode, SchoolClassNode, SchoolNode, StudentNode

FIELD_NAMES = {"school_class": "classId", "registrations": "registrationIds", "reason": "reason",
               "registration": "registrationId"}
MAX_PLACEMENT = 1000


def _require(info, permission):
    if not info.context.user.has_perm(permission):
        raise PermissionDenied


def _writable_class(info, global_id):
    return get_writable(info, SchoolClassNode, global_id, "classId")


class AssignClass(ServiceMutation):
    """调整一名学生的班级(同校同学段;留级、跳级即编入其他年级的班级)。"""

    result = graphene.Field(RegistrationNode)
    field_names = FIELD_NAMES

    class Arguments:
        registration_id = graphene.ID(required=True)
        class_id = graphene.ID(required=True)
        reason = graphene.String(required=True, description="调整事由")

    @classmethod
    def perform(cls, info, registration_id, class_id, reason):
        _require(info, "cases.change_registration")
        registration = get_writable(info, RegistrationNode, registration_id, "registrationId")
        school_class = _writable_class(info, class_id)
        if not (reason or "").strip():
            raise RuleError("placement_reason", "请填写调整事由", field="reason")
        return registration_assign_class(acting_user=info.context.user, registration=registration,
                                         school_class=school_class, reason=reason.strip())


class PlaceInClass(ServiceMutation):
    """批量分班:把多名学生编入同一个班级;有一人不符合则全部不变,逐人列出原因。"""

    result = graphene.List(graphene.NonNull(RegistrationNode))
    field_names = FIELD_NAMES

    class Arguments:
        registration_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        class_id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, info, registration_ids, class_id, reason):
        _require(info, "cases.change_registration")
        if len(registration_ids) > MAX_PLACEMENT:
            raise RuleError("placement_too_large", f"一次最多分班{MAX_PLACEMENT}人", field="registrations")
        try:
            pks = {decode(global_id, RegistrationNode) for global_id in registration_ids}
        except InvalidId:
            raise BadId("registrationIds") from None
        from cases import access

        found = list(access.in_scope(info.context.user, m.Registration, m.Registration.objects.filter(pk__in=pks),
                                     actions=("change",)))
        if len(found) != len(pks):
            raise NotFound("registrationIds")
        school_class = _writable_class(info, class_id)
        registrations_assign_class(acting_user=info.context.user, registrations=found, school_class=school_class,
                                   reason=reason)
        return list(m.Registration.objects.filter(pk__in=pks).order_by("pk"))


class UpdateStudentContact(ServiceMutation):
    """修改学生的联系信息和标记(住址、流动、留守、残疾);姓名、出生日期等须通过信息变更案卷(第十五条)。"""

    result = graphene.Field(StudentNode)
    field_names = {"student": "id"}

    class Arguments:
        id = graphene.ID(required=True)
        address = graphene.String()
        is_migrant = graphene.Boolean()
        is_left_behind = graphene.Boolean()
        disability = enums.Disability()

    @classmethod
    def perform(cls, info, id, **changes):
        _require(info, "cases.change_student")
        student = get_writable(info, StudentNode, id)
        changes = {k: enums.value(v) for k, v in changes.items() if v is not None}
        return student_update_contact(acting_user=info.context.user, student=student, changes=changes)


class CreateClass(ServiceMutation):
    """新建班级(年级由入学年份推算,第十六条)。"""

    result = graphene.Field(SchoolClassNode)
    field_names = {"school": "schoolId", "class_name": "className"}

    class Arguments:
        school_id = graphene.ID(required=True)
        stage = enums.Stage(required=True)
        cohort = graphene.Int(required=True, description="入学年份")
        class_name = graphene.String(required=True)

    @classmethod
    def perform(cls, info, school_id, stage, cohort, class_name):
        _require(info, "cases.add_schoolclass")
        school = get_writable(info, SchoolNode, school_id, "schoolId")
        return school_class_create(acting_user=info.context.user, school=school, stage=enums.value(stage),
                                   cohort=cohort, class_name=class_name)


class RenameClass(ServiceMutation):
    """修改班级名称(入学年份和学段不改:它们决定班内学生的年级)。"""

    result = graphene.Field(SchoolClassNode)
    field_names = {"class_name": "className"}

    class Arguments:
        id = graphene.ID(required=True)
        class_name = graphene.String(required=True)

    @classmethod
    def perform(cls, info, id, class_name):
        _require(info, "cases.change_schoolclass")
        return school_class_rename(acting_user=info.context.user, school_class=_writable_class(info, id),
                                   class_name=class_name)


class RegistryMutations(graphene.ObjectType):
    update_student_contact = UpdateStudentContact.Field()
    create_class = CreateClass.Field()
    rename_class = RenameClass.Field()
    assign_class = AssignClass.Field()
    place_in_class = PlaceInClass.Field()
