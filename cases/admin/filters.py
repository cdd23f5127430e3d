"""The filters a registrar works with: students by school, class, grade, stage, status and
flags; cases by type, state, school, step and lateness. Plain ORM filters on the registration
and class columns (indexed; see bench/ for the numbers), each narrowed to the user's scope."""

import django_filters
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.models import TaskState

from cases import access
from cases import models as m
from cases.edge import is_digits
from cases.models.registrations import school_year_of

YES_NO = [("1", "是"), ("0", "否")]


def grade_choices():
    """(stage-grade, label): 一年级…九年级 for compulsory education, 高一…高三 for high school."""
    items = []
    for stage, years in m.STAGE_YEARS.items():
        probe = m.SchoolClass(stage=stage, cohort=0)
        for grade in range(1, years + 1):
            probe.cohort = school_year_of(timezone.localdate()) - grade + 1
            items.append((f"{stage}-{grade}", f"{m.Stage(stage).label}{probe.grade_label()}"))
    return items


def _schools(request):
    return access.visible(request.user, m.School).only("id", "name").order_by("name") if request else m.School.objects.none()


def _own_school_only(filterset, request):
    """A school's staff see their own school: no school to choose. Returns whether that is so."""
    profile = access.profile_of(request.user) if request is not None else None
    if profile is not None and profile.school_id:
        filterset.filters.pop("school", None)
        return True
    return False


def _school_picker(filterset, request):
    """Above a county (a city's or the province's thousands of schools) the school is searched
    by name or code, not picked from a select holding them all (~12,000 options, 650 KB and a
    second of rendering on every page of the province's lists); a county's few hundred stay a
    select."""
    scope = access.scope_of(request.user) if request is not None else None
    if "school" in filterset.filters and scope is not None and not (scope.leaf_code or scope.school_id):
        from .case_fields import ScopedPickerWidget

        filterset.filters["school"].extra["widget"] = ScopedPickerWidget("school", user=request.user)


def _classes(request):
    """Classes of the chosen school, or of the user's own school: never a province's classes
    in one select."""
    if request is None:
        return m.SchoolClass.objects.none()
    school = request.GET.get("school") or ""
    profile = access.profile_of(request.user)
    if not is_digits(school):
        school = profile.school_id if profile and profile.school_id else None
    classes = access.visible(request.user, m.SchoolClass).select_related("school")
    return classes.filter(school_id=school) if school else classes.none()


def _open(**lookups):
    """Students with an open registration matching ``lookups`` (at most one per student)."""
    return Q(Exists(m.Registration.objects.open().filter(student=OuterRef("pk"), **lookups)))


class StudentFilterSet(WagtailFilterSet):
    school = django_filters.ModelChoiceFilter(label="学校", queryset=_schools, method="by_school")
    school_class = django_filters.ModelChoiceFilter(label="班级(先选学校)", queryset=_classes, method="by_class")
    grade = django_filters.ChoiceFilter(label="年级", choices=grade_choices, method="by_grade")
    stage = django_filters.ChoiceFilter(label="学段", choices=m.Stage.choices, method="by_stage")
    status = django_filters.ChoiceFilter(label="学籍状态", choices=m.RegistrationStatus.choices, method="by_status")
    without_class = django_filters.ChoiceFilter(label="未分班", choices=YES_NO, method="by_without_class")
    temporary_number = django_filters.ChoiceFilter(label="临时学籍号", choices=YES_NO, method="by_temporary")

    class Meta:
        model = m.Student
        fields = ["gender", "is_migrant", "is_left_behind", "disability", "household_type"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if _own_school_only(self, request):
            self.filters["school_class"].label = "班级"  # its classes at once
        _school_picker(self, request)

    def by_school(self, queryset, name, value):
        return queryset.filter(_open(school=value))

    def by_class(self, queryset, name, value):
        return queryset.filter(_open(school_class=value))

    def by_grade(self, queryset, name, value):
        stage, grade = value.rsplit("-", 1)
        cohort = school_year_of(timezone.localdate()) - int(grade) + 1
        return queryset.filter(_open(school_class__stage=stage, school_class__cohort=cohort))

    def by_stage(self, queryset, name, value):
        return queryset.filter(_open(stage=value))

    def by_status(self, queryset, name, value):
        # Open statuses are the current one; a closed status is any registration that ended so
        # (a graduate of a primary school who is now in a junior school is not "毕业" here).
        if value in m.OPEN_STATUSES:
            return queryset.filter(_open(status=value))
        return queryset.filter(Exists(m.Registration.objects.filter(student=OuterRef("pk"), status=value))
                               ).exclude(_open())

    def by_without_class(self, queryset, name, value):
        missing = _open(school_class__isnull=True)
        return queryset.filter(missing) if value == "1" else queryset.exclude(missing)

    def by_temporary(self, queryset, name, value):
        temporary = Q(registry_number__gte="L", registry_number__lt="M")  # a range of the unique index
        return queryset.filter(temporary) if value == "1" else queryset.exclude(temporary)


class RegistrationFilterSet(WagtailFilterSet):
    """The registrations' list: by school (searched above a county, as the student list), status
    and stage. The school is a filter, not words of the search box: a school's name matched in
    the search would be every registration of every school so named (the province's 小学)."""

    school = django_filters.ModelChoiceFilter(label="学校", queryset=_schools)

    class Meta:
        model = m.Registration
        fields = ["school", "status", "stage"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        _own_school_only(self, request)
        _school_picker(self, request)


def _case_types():
    from cases.case_types import choices

    return choices()


def _steps(state_filter, states=None):
    """Cases whose step in progress matches ``state_filter`` (a Q over RegistryTaskState)."""
    states = m.RegistryTaskState.objects.all() if states is None else states
    return Exists(states.filter(
        state_filter, status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__object_id=Cast(OuterRef("pk"), output_field=CharField()),
        workflow_state__base_content_type__model="case", workflow_state__base_content_type__app_label="cases",
    ))


class CaseFilterSet(WagtailFilterSet):
    case_type = django_filters.ChoiceFilter(label="变动类型", choices=_case_types)
    school = django_filters.ModelChoiceFilter(label="学校", queryset=_schools, method="by_school")
    step = django_filters.ChoiceFilter(label="当前步骤", choices=m.ApprovalLevel.choices, method="by_step")
    overdue = django_filters.ChoiceFilter(label="逾期", choices=YES_NO, method="by_overdue")
    waiting_for_me = django_filters.ChoiceFilter(label="待我审批", choices=[("1", "是")], method="by_waiting")

    class Meta:
        model = m.Case
        fields = ["state"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        _school_picker(self, request)

    def by_school(self, queryset, name, value):
        return queryset.filter(Q(school=value) | Q(destination_school=value))

    def by_step(self, queryset, name, value):
        return queryset.filter(_steps(Q(task__registryapprovaltask__level=value)))

    def by_overdue(self, queryset, name, value):
        late = _steps(Q(due_on__lt=timezone.localdate()))
        return queryset.filter(late) if value == "1" else queryset.exclude(late)

    def by_waiting(self, queryset, name, value):
        if value != "1":
            return queryset
        from cases.workflow import task_states_awaiting

        return queryset.filter(_steps(Q(), task_states_awaiting(self.request.user)))
