"""Jurisdictions, schools, classes, students, registrations, auxiliary numbers."""

import graphene
from django.utils import timezone

from cases import access
from cases import models as m
from graphql_api.accounts.types import User
from graphql_api.core import enums
from graphql_api.core.nodes import ScopedNode
from graphql_api.core.optimize import Join, Many, Needs, loaded


class JurisdictionNode(ScopedNode):
    parent = graphene.Field(lambda: JurisdictionNode)
    level = graphene.Field(enums.Level, required=True)
    related = {"parent": Join("parent", "JurisdictionNode")}

    class Meta:
        model = m.Jurisdiction
        name = "Jurisdiction"
        fields = ("id", "code", "name", "auxiliary_code")
        description = "行政区划(省、市、县、乡镇),GB/T 2260 代码"


class SchoolNode(ScopedNode):
    county = graphene.Field(JurisdictionNode, required=True)
    township = graphene.Field(JurisdictionNode)
    category = graphene.Field(enums.SchoolCategory, required=True)
    stages = graphene.List(graphene.NonNull(enums.Stage), required=True)
    ownership = graphene.Field(enums.Ownership, required=True)
    supervision = graphene.Field(enums.Supervision, required=True)
    related = {"county": Join("county", "JurisdictionNode"), "township": Join("township", "JurisdictionNode")}

    class Meta:
        model = m.School
        name = "School"
        fields = ("id", "code", "name", "auxiliary_code", "scope_code", "is_closed")
        description = "学校;scopeCode 为主管单位代码(第三条)"


def _grade(school_class):
    return school_class.grade() if school_class else None


def _grade_label(school_class):
    return school_class.grade_label() if school_class else ""


class SchoolClassNode(ScopedNode):
    school = graphene.Field(SchoolNode, required=True)
    stage = graphene.Field(enums.Stage, required=True)
    graduation_year = graphene.Int(required=True, description="届别")
    grade = graphene.Int(description="当前学年的年级(学段内,1 起);入学前为空")
    grade_label = graphene.String(required=True, description="如 初二、高一")
    related = {"school": Join("school", "SchoolNode")}

    class Meta:
        model = m.SchoolClass
        name = "SchoolClass"
        fields = ("id", "cohort", "class_name", "promoted_through")
        description = "班级:年级由入学年份和学年推算,不存储(第十六条)"

    def resolve_grade(root, info):
        return _grade(root)

    def resolve_grade_label(root, info):
        return _grade_label(root)


class AuxiliaryNumberNode(ScopedNode):
    kind = graphene.Field(enums.AuxiliaryNumberKind, required=True)
    is_live = graphene.Boolean(required=True)

    class Meta:
        model = m.AuxiliaryNumber
        name = "AuxiliaryNumber"
        fields = ("id", "number", "issued_at", "cancelled_at", "cancelled_reason")
        description = "学籍辅号(注销后永不复用,第九、十条)"


class RegistrationEventNode(ScopedNode):
    status_from = graphene.Field(enums.RegistrationStatus)
    status_to = graphene.Field(enums.RegistrationStatus, required=True)
    recorded_by = graphene.Field(User)
    related = {"recordedBy": Join("recorded_by")}

    class Meta:
        model = m.RegistrationEvent
        name = "RegistrationEvent"
        fields = ("id", "occurred_on", "reason", "recorded_at")
        description = "学籍状态变动记录(只增不改)"

    @classmethod
    def scoped(cls, queryset, info):
        return queryset.filter(registration__in=access.visible(info.context.user, m.Registration))

    def resolve_status_from(root, info):
        return root.status_from or None


def _registrations(info):
    return access.in_scope(info.context.user, m.Registration, m.Registration.objects.order_by("-started_on", "-id"))


def _current_shown(registration, info):
    """An open registration at a school in the caller's scope (the school is joined with it)."""
    return registration.is_open and access.scope_of(info.context.user).covers_school(registration.school)


class RegistrationNode(ScopedNode):
    student = graphene.Field(lambda: StudentNode, required=True)
    school = graphene.Field(SchoolNode, required=True)
    school_class = graphene.Field(SchoolClassNode)
    stage = graphene.Field(enums.Stage, required=True)
    status = graphene.Field(enums.RegistrationStatus, required=True)
    grade = graphene.Int(description="当前年级(学段内)")
    grade_label = graphene.String(required=True)
    auxiliary_number = graphene.Field(AuxiliaryNumberNode, description="现用学籍辅号")
    auxiliary_numbers = graphene.List(graphene.NonNull(AuxiliaryNumberNode), required=True,
                                      description="全部学籍辅号(含已注销)")
    events = graphene.List(graphene.NonNull(RegistrationEventNode), required=True, description="状态变动历史")
    related = {
        "student": Join("student", "StudentNode"),
        # A registration in scope is at a school in scope, in one of that school's classes.
        "school": Join("school", "SchoolNode", implied=True),
        "schoolClass": Join("school_class", "SchoolClassNode", implied=True),
        "grade": Needs(joins=("school_class",)),
        "gradeLabel": Needs(joins=("school_class",)),
        "auxiliaryNumber": Many("auxiliary_numbers", "AuxiliaryNumberNode", "_gql_live_numbers",
                                lambda info: m.AuxiliaryNumber.objects.filter(cancelled_at__isnull=True)),
        "auxiliaryNumbers": Many("auxiliary_numbers", "AuxiliaryNumberNode", "_gql_numbers",
                                 lambda info: m.AuxiliaryNumber.objects.all()),
        "events": Many("events", "RegistrationEventNode", "_gql_events", lambda info: m.RegistrationEvent.objects.all()),
    }

    class Meta:
        model = m.Registration
        name = "Registration"
        fields = ("id", "started_on", "ended_on", "suspended_until", "created_at")
        description = "学籍:学生在一所学校的在籍状态"

    def resolve_grade(root, info):
        return _grade(root.school_class)

    def resolve_grade_label(root, info):
        return _grade_label(root.school_class)

    def resolve_auxiliary_number(root, info):
        numbers = loaded(root, "_gql_live_numbers", lambda: root.auxiliary_numbers.filter(cancelled_at__isnull=True))
        return numbers[0] if numbers else None

    def resolve_auxiliary_numbers(root, info):
        return loaded(root, "_gql_numbers", root.auxiliary_numbers.all)

    def resolve_events(root, info):
        return loaded(root, "_gql_events", root.events.all)


def _personal(field):
    """A resolver showing ``field`` whole or masked, as cases/access.py decides."""
    return lambda root, info: access.personal_value(info.context.user, root, field)


class GuardianNode(ScopedNode):
    phone = graphene.String(required=True, resolver=_personal("phone"),
                            description="联系电话;非学籍所在单位及其主管部门只见部分号码")
    id_number = graphene.String(required=True, resolver=_personal("id_number"),
                                description="公民身份号码;非学籍所在单位及其主管部门只见部分号码")

    class Meta:
        model = m.Guardian
        name = "Guardian"
        fields = ("id", "name", "relation", "phone", "id_number")
        description = "监护人"

    @classmethod
    def scoped(cls, queryset, info):
        return queryset.filter(student__in=access.visible(info.context.user, m.Student))

    @classmethod
    def after_check(cls, guardians, info):
        access.students_held(info.context.user, [g.student_id for g in guardians])


class StudentNode(ScopedNode):
    registry_number = graphene.String(required=True, resolver=_personal("registry_number"),
                                      description="学籍号;G 字头学籍号即“G+公民身份号码”,学籍所在单位及其主管部门以外只见部分号码"
                                                  "(J、L 字头完整显示)")
    id_number = graphene.String(resolver=_personal("id_number"),
                                description="公民身份号码;学籍所在单位及其主管部门以外只见部分号码")
    household_address = graphene.String(required=True, resolver=_personal("household_address"),
                                        description="户籍地址;学籍所在单位及其主管部门以外只见开头")
    address = graphene.String(required=True, resolver=_personal("address"),
                              description="现住址;学籍所在单位及其主管部门以外只见开头")
    gender = graphene.Field(enums.Gender, required=True)
    household_type = graphene.Field(enums.HouseholdType, required=True)
    household_county = graphene.Field(JurisdictionNode)
    disability = graphene.Field(enums.Disability, required=True)
    paper_archive_school = graphene.Field(SchoolNode, description="纸质档案保管学校")
    guardians = graphene.List(graphene.NonNull(GuardianNode), required=True)
    registrations = graphene.List(graphene.NonNull(RegistrationNode), required=True,
                                  description="本单位范围内的学籍(新的在前);转出后原学校仍可查看其历史(第十四条)")
    current_registration = graphene.Field(RegistrationNode, description="在籍的学籍(在读、休学、辍学、出境)")
    related = {
        "householdCounty": Join("household_county", "JurisdictionNode"),
        "paperArchiveSchool": Join("paper_archive_school", "SchoolNode"),
        "guardians": Many("guardians", "GuardianNode", "_gql_guardians", lambda info: m.Guardian.objects.order_by("id")),
        "registrations": Many("registrations", "RegistrationNode", "_gql_registrations", _registrations),
        # The maintained current registration (cases/services/current.py), joined: shown when
        # open and at a school in the caller's scope, which is what "the open registration in
        # scope" means (a student has one open registration at most).
        "currentRegistration": (Join("current_registration", "RegistrationNode",
                                     check=lambda student, registration, info: _current_shown(registration, info)),
                                Needs(joins=("current_registration__school",))),
    }

    prepared = True  # scope, "held" and the joins depend only on the caller and the selection

    class Meta:
        model = m.Student
        name = "Student"
        fields = ("id", "registry_number", "id_number", "name", "former_names", "birth_date", "ethnicity",
                  "native_place", "household_address", "address", "is_migrant", "is_left_behind", "created_at")
        description = "学生:一人一号,终身不变(第九条)"

    @classmethod
    def after_check(cls, students, info):
        # Whose personal data is shown whole: decided from the rows (their current school); a
        # query only for rows loaded without those columns.
        access.note_held(info.context.user, students)
        access.students_held(info.context.user, [s.pk for s in students])

    def resolve_guardians(root, info):
        return loaded(root, "_gql_guardians", root.guardians.order_by("id"))

    def resolve_registrations(root, info):
        return loaded(root, "_gql_registrations", lambda: _registrations(info).filter(student=root))

    def resolve_current_registration(root, info):
        if m.Student.current_registration.is_cached(root):
            current = root.current_registration
            return current if current is not None and _current_shown(current, info) else None
        return _registrations(info).open().filter(student=root).first()


def school_year():
    return m.school_year_of(timezone.localdate())
