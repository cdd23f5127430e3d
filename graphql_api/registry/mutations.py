"""Class placement (分班, single and bulk) and new students. Registering is a registration case
(第八、十二条: the authority approves the intake): ``registerStudents`` opens the draft with typed
people, then the case mutations submit it."""

import graphene
from django.core.exceptions import PermissionDenied

from cases import models as m
from cases.errors import RuleError
from cases.services import cases as case_services
from cases.services.placement import registrations_assign_class
from cases.services.registrations import registration_assign_class, school_class_create, school_class_rename
from cases.services.students import student_update_contact
from graphql_api.cases.types import CaseNode
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


class GuardianInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    relation = graphene.String(required=True, description="与学生关系,如 父亲")
    phone = graphene.String()
    id_number = graphene.String()


class NewStudentInput(graphene.InputObjectType):
    """一名新生:本人信息、班级、监护人;年龄与学段不符时填写例外理由(第十一、十二条)。"""

    name = graphene.String(required=True)
    gender = enums.Gender(required=True)
    birth_date = graphene.Date(required=True)
    id_number = graphene.String(description="公民身份号码(无则留空,将编排 J 或 L 学籍号)")
    ethnicity = graphene.String()
    native_place = graphene.String()
    household_type = enums.HouseholdType()
    class_id = graphene.ID(description="编入的班级")
    guardians = graphene.List(graphene.NonNull(GuardianInput))
    age_exception = graphene.String(description="年龄例外理由(特殊教育、延缓入学等)")


def _person(info, person, school, stage):
    row = {"name": person["name"], "gender": enums.value(person["gender"]),
           "birth_date": person["birth_date"].isoformat()}
    for key in ("id_number", "ethnicity", "native_place", "age_exception"):
        if person.get(key):
            row[key] = person[key]
    if person.get("household_type"):
        row["household_type"] = enums.value(person["household_type"])
    if person.get("class_id"):
        school_class = _writable_class(info, person["class_id"])
        row["school_class"] = school_class.pk
    if person.get("guardians"):
        row["guardians"] = [{k: v for k, v in dict(g).items() if v} for g in person["guardians"]]
    return row


class RegisterStudents(ServiceMutation):
    """新生注册(一人或一批):建立本校的新生注册案卷草稿(第八、十二条),再上传材料、submitCase 提交审批;
    查重和身份信息在提交和审批时检查(第十一、十五条)。"""

    result = graphene.Field(CaseNode)
    field_names = {"details": "people"}

    class Arguments:
        stage = enums.Stage(required=True)
        effective_on = graphene.Date(required=True, description="入学日期")
        people = graphene.List(graphene.NonNull(NewStudentInput), required=True)

    @classmethod
    def perform(cls, info, stage, effective_on, people):
        user = info.context.user
        _require(info, "cases.add_case")
        from cases import access

        profile = access.profile_of(user)
        if profile is None or profile.school is None:
            raise PermissionDenied  # the school registers its own intake, as in the admin
        school, stage = profile.school, enums.value(stage)
        rows = [_person(info, person, school, stage) for person in people]
        return case_services.case_create(acting_user=user, case_type="registration", school=school, stage=stage,
                                         effective_on=effective_on, details={"people": rows})


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
    register_students = RegisterStudents.Field()
