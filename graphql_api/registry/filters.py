"""FilterSets of the registry connections."""

import graphene
from django.db.models import Exists, OuterRef, Q

from cases import access
from cases import models as m
from graphql_api.core import enums
from graphql_api.core.filters import ApiFilterSet, InputFilter, NodeFilter, Ordering
from graphql_api.core.ids import decode_or_error
from graphql_api.core.optimize import NODE_TYPES

from .types import school_year


def cohort_of(grade):
    """Classes in ``grade`` this school year started in this cohort (grade is within the stage)."""
    return school_year() - grade + 1


class JurisdictionFilter(ApiFilterSet):
    level = InputFilter(enums.Level, field_name="level", label="级别")
    parent = NodeFilter("JurisdictionNode", field_name="parent_id", label="上级区划")
    code_prefix = InputFilter(field_name="code", lookup_expr="startswith", label="代码前缀(含本级及以下)")
    name = InputFilter(field_name="name", lookup_expr="contains", label="名称包含")
    order_by = Ordering("code", "name")

    class Meta(ApiFilterSet.Meta):
        model = m.Jurisdiction


class SchoolFilter(ApiFilterSet):
    code = InputFilter(field_name="code", label="学校标识码")
    name = InputFilter(field_name="name", lookup_expr="contains", label="名称包含")
    county = NodeFilter("JurisdictionNode", field_name="county_id", label="所在县")
    within = InputFilter(field_name="county__code", lookup_expr="startswith",
                         label="所在行政区划代码前缀(如 6201 为兰州市全部学校)")
    category = InputFilter(enums.SchoolCategory, field_name="category", label="学校类别")
    stage = InputFilter(enums.Stage, method="filter_stage", label="开设学段")
    supervision = InputFilter(enums.Supervision, field_name="supervision", label="隶属关系")
    is_closed = InputFilter(graphene.Boolean, field_name="is_closed", label="已撤并")
    order_by = Ordering("code", "name")

    class Meta(ApiFilterSet.Meta):
        model = m.School

    def filter_stage(self, queryset, name, value):
        return queryset.offering(value)


class SchoolClassFilter(ApiFilterSet):
    school = NodeFilter("SchoolNode", field_name="school_id", label="学校")
    stage = InputFilter(enums.Stage, field_name="stage", label="学段")
    cohort = InputFilter(graphene.Int, field_name="cohort", label="入学年份")
    grade = InputFilter(graphene.Int, method="filter_grade", label="当前年级(学段内)")
    order_by = Ordering("cohort", "class_name")

    class Meta(ApiFilterSet.Meta):
        model = m.SchoolClass

    def filter_grade(self, queryset, name, value):
        return queryset.filter(cohort=cohort_of(value))


class RegistrationFilter(ApiFilterSet):
    student = NodeFilter("StudentNode", field_name="student_id", label="学生")
    school = NodeFilter("SchoolNode", field_name="school_id", label="学校")
    school_class = NodeFilter("SchoolClassNode", field_name="school_class_id", label="班级")
    status = InputFilter(enums.RegistrationStatus, field_name="status", label="学籍状态")
    stage = InputFilter(enums.Stage, field_name="stage", label="学段")
    grade = InputFilter(graphene.Int, method="filter_grade", label="当前年级(学段内)")
    is_open = InputFilter(graphene.Boolean, method="filter_open", label="在籍(在读、休学、辍学、出境)")
    order_by = Ordering("started_on", "created_at")

    class Meta(ApiFilterSet.Meta):
        model = m.Registration

    def filter_grade(self, queryset, name, value):
        return queryset.filter(school_class__cohort=cohort_of(value))

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=m.OPEN_STATUSES) if value else queryset.exclude(status__in=m.OPEN_STATUSES)


class StudentFilter(ApiFilterSet):
    """School, class, status, stage and grade all describe *one* registration of the student (in
    the caller's scope): ``school: X, status: ACTIVE`` finds the students active at X."""

    registry_number = InputFilter(method="by_number", label="学籍号(G 字头仅限本单位学籍所在的学生)")
    id_number = InputFilter(method="by_number", label="公民身份号码(仅限本单位学籍所在的学生)")
    name = InputFilter(field_name="name", lookup_expr="startswith", label="姓名(前缀匹配)")
    school = NodeFilter("SchoolNode", method="registration", label="学校")
    school_class = NodeFilter("SchoolClassNode", method="registration", label="班级")
    status = InputFilter(enums.RegistrationStatus, method="registration", label="学籍状态")
    stage = InputFilter(enums.Stage, method="registration", label="学段")
    grade = InputFilter(graphene.Int, method="registration", label="当前年级(学段内)")
    order_by = Ordering("registry_number", "name", "birth_date", "created_at")

    class Meta(ApiFilterSet.Meta):
        model = m.Student

    REGISTRATION_FIELDS = {"school", "school_class", "status", "stage", "grade"}

    def registration(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def by_number(self, queryset, name, value):
        """An exact number. An ID number or a G registry number (the ID number) matches only the
        students the caller holds: a unit that merely reads a student must not learn whose ID
        number it is (cases/search.py); a J or L number matches in the visible set."""
        match = queryset.filter(**{name: value})
        if name == "registry_number" and value[:1] in ("J", "L"):
            return match
        return match.filter(access.students_held_q(self.request.user))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        wanted = {k: v for k, v in self.form.cleaned_data.items() if k in self.REGISTRATION_FIELDS
                  and v not in (None, "")}
        if not wanted:
            return queryset
        condition = Q(student=OuterRef("pk"))
        for key, value in wanted.items():
            if key in ("school", "school_class"):
                pk = decode_or_error(value, NODE_TYPES[self.filters[key].node_type])
                condition &= Q(**{f"{key}_id": pk})
            elif key == "grade":
                condition &= Q(school_class__cohort=cohort_of(value))
            else:
                condition &= Q(**{key: value})
        registrations = access.in_scope(self.request.user, m.Registration, m.Registration.objects.filter(condition))
        return queryset.filter(Exists(registrations))

