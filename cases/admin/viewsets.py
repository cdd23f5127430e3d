"""Wagtail admin for the registry's core records, in Chinese, scoped by cases/access.py."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView

from cases import access
from cases import models as m
from cases.edge import is_digits
from cases.services.archives import STAFF_KINDS, archive_entry_append, calendar_override_set
from cases.services.auxiliary_numbers import auxiliary_template_set
from cases.services.divisions import jurisdiction_set_auxiliary_code
from cases.services.reads import student_reads_record
from cases.services.registrations import registration_assign_class, school_class_create, school_class_rename
from cases.services.schools import school_create, school_update
from cases.services.students import CONTACT_FIELDS, student_update_contact

from .display import RegistryInspectView
from .reads import ReadLogViewSet
from .filters import RegistrationFilterSet, StudentFilterSet
from .staff import StaffProfileViewSet
from .students import STUDENT_LIST_DISPLAY, StudentIndexView, StudentInspectView
from .scoping import ScopedSnippetViewSet, ServiceFormMixin

SCHOOL_FIELDS = ["code", "name", "county", "township", "category", "stages", "ownership", "supervision",
                 "auxiliary_code", "is_closed"]


# --- schools -------------------------------------------------------------------------------
class SchoolCreateView(ServiceFormMixin, CreateView):
    def save_through_service(self, form):
        return school_create(acting_user=self.request.user, **{f: form.cleaned_data[f] for f in SCHOOL_FIELDS})


class SchoolEditView(ServiceFormMixin, EditView):
    def save_through_service(self, form):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in SCHOOL_FIELDS}
        return school_update(acting_user=self.request.user, school=self.object, changes=changes)


class SchoolViewSet(ScopedSnippetViewSet):
    model = m.School
    icon = "home"
    menu_label = _("学校")
    add_view_class = SchoolCreateView
    edit_view_class = SchoolEditView
    form_fields = SCHOOL_FIELDS
    list_display = ["code", "name", "county", "category", "supervision", "ownership"]
    list_filter = ["category", "supervision", "ownership", "is_closed"]
    search_fields = ["name", "code"]
    search_backend_name = None
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("county")


# --- students (list, record, 分班: cases/admin/students.py) ------------------------------------
class StudentEditView(ServiceFormMixin, EditView):
    def save_through_service(self, form):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in CONTACT_FIELDS}
        return student_update_contact(acting_user=self.request.user, student=self.object, changes=changes)


class StudentViewSet(ScopedSnippetViewSet):
    model = m.Student
    icon = "user"
    menu_label = _("学生")
    index_view_class = StudentIndexView
    edit_view_class = StudentEditView
    inspect_view_class = StudentInspectView
    form_fields = sorted(CONTACT_FIELDS)
    list_display = STUDENT_LIST_DISPLAY
    list_export = ["registry_number", "name", "get_gender_display", "birth_date", "ethnicity", "current_school_name",
                   "current_class_label", "current_status_label", "is_migrant", "is_left_behind",
                   "get_disability_display"]
    export_headings = {"get_gender_display": "性别", "current_school_name": "当前学校", "current_class_label": "班级 · 年级",
                       "current_status_label": "学籍状态", "get_disability_display": "残疾类型"}
    export_filename = "students"
    filterset_class = StudentFilterSet
    search_fields = ["name", "registry_number", "id_number"]  # searched by cases/search.py
    search_backend_name = None
    list_per_page = 50

    def get_index_results_template(self):
        return "cases/admin/student_index_results.html"  # keyset pages (cases/admin/keyset.py)
    inspect_view_fields = [
        "registry_number", "id_number", "name", "former_names", "gender", "birth_date", "ethnicity", "native_place",
        "household_type", "household_county", "household_address", "address", "is_migrant", "is_left_behind",
        "disability",
    ]


# --- registrations -------------------------------------------------------------------------
class RegistrationClassForm(forms.ModelForm):
    reason = forms.CharField(label=_("调整事由"), max_length=200)

    class Meta:
        model = m.Registration
        fields = ["school_class"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        registration = self.instance
        self.fields["school_class"].queryset = m.SchoolClass.objects.filter(
            school_id=registration.school_id, stage=registration.stage
        )


class RegistrationEditView(ServiceFormMixin, EditView):
    def get_form_class(self):
        return RegistrationClassForm

    def save_through_service(self, form):
        return registration_assign_class(
            acting_user=self.request.user, registration=self.object,
            school_class=form.cleaned_data["school_class"], reason=form.cleaned_data["reason"],
        )


class RegistrationInspectView(RegistryInspectView):
    template_name = "cases/admin/registration_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(events=self.object.events.select_related("recorded_by"),
                       auxiliary_numbers=self.object.auxiliary_numbers.all())
        student_reads_record(acting_user=self.request.user, students=[self.object.student_id],
                             door=m.ReadDoor.ADMIN_STUDENT, what="学籍详情")
        return context


class RegistrationIndexView(IndexView):
    def paginate_queryset(self, queryset, page_size):
        """The page's keys first, in the listing's order, then its rows by key: sorted as whole
        rows joined to their students, a county's 100,000 registrations spilled to disk (0.7 s at
        5 M); their keys alone are a sort of index entries (30 ms)."""
        keys = queryset.values_list("pk", flat=True)
        paginator, page, page_keys, is_paginated = super().paginate_queryset(keys, page_size)
        rows = queryset.order_by().in_bulk(list(page_keys))
        page.object_list = [rows[key] for key in page_keys if key in rows]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        student_reads_record(acting_user=self.request.user, students=[r.student_id for r in context["object_list"]],
                             door=m.ReadDoor.ADMIN_LIST, what="学籍列表")  # 第三十八条, one INSERT
        return context


class RegistrationViewSet(ScopedSnippetViewSet):
    model = m.Registration
    icon = "doc-full"
    menu_label = _("学籍")
    index_view_class = RegistrationIndexView
    edit_view_class = RegistrationEditView
    inspect_view_class = RegistrationInspectView
    form_fields = ["school_class"]
    # The form (RegistrationClassForm) also asks for the reason of a move: without its panel it
    # rendered as a bare box without a label.
    edit_handler = ObjectList([FieldPanel("school_class"), FieldPanel("reason")], base_form_class=RegistrationClassForm)
    list_display = [
        "student",
        "school",
        "stage",
        Column("school_class", label=_("班级")),
        Column("grade", label=_("年级"), accessor=lambda r: r.grade_label()),
        "status",
        "started_on",
    ]
    filterset_class = RegistrationFilterSet  # school (searched above a county), status, stage
    list_export = ["student.registry_number", "student.name", "school.name", "get_stage_display", "school_class",
                   "grade_label", "get_status_display", "started_on", "ended_on"]
    export_headings = {"student.registry_number": "学籍号", "student.name": "姓名", "school.name": "学校",
                       "get_stage_display": "学段", "school_class": "班级", "grade_label": "年级",
                       "get_status_display": "学籍状态"}
    export_filename = "registrations"
    search_fields = ["student__name", "student__registry_number"]  # the student; the school is a filter
    search_backend_name = None
    list_per_page = 50
    inspect_view_fields = ["student", "school", "stage", "school_class", "status", "started_on", "ended_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "school", "school_class")


# --- reference data ------------------------------------------------------------------------
class JurisdictionEditView(ServiceFormMixin, EditView):
    def save_through_service(self, form):
        return jurisdiction_set_auxiliary_code(acting_user=self.request.user, jurisdiction=self.object,
                                               auxiliary_code=form.cleaned_data["auxiliary_code"])


class JurisdictionViewSet(ScopedSnippetViewSet):
    model = m.Jurisdiction
    edit_view_class = JurisdictionEditView
    icon = "site"
    menu_label = _("行政区划")
    list_display = ["code", "name", "level", "auxiliary_code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    search_backend_name = None
    form_fields = ["auxiliary_code"]
    list_per_page = 100


class SchoolClassCreateView(ServiceFormMixin, CreateView):
    def get_form(self, *args, **kwargs):
        """A school's staff create classes of their own school: it is filled in and fixed."""
        form = super().get_form(*args, **kwargs)
        profile = access.profile_of(self.request.user)
        if profile is not None and profile.school_id and "school" in form.fields:
            form.fields["school"].initial = profile.school
            form.fields["school"].disabled = True
            form.initial["school"] = profile.school.pk
        return form

    def save_through_service(self, form):
        # Only the fields a registrar fills in; promotion (promoted_through) is the yearly job's.
        data = form.cleaned_data
        return school_class_create(acting_user=self.request.user, school=data["school"], stage=data["stage"],
                                   cohort=data["cohort"], class_name=data["class_name"])


class SchoolClassEditView(ServiceFormMixin, EditView):
    """Only the name changes (``school_class_rename``, with its audit entry): the school, stage
    and cohort fix the grade of every student placed in the class (第十六条), so they are shown
    and kept, whatever is posted."""

    FIXED = ("school", "stage", "cohort")

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        for name in self.FIXED:
            if name in form.fields:
                form.fields[name].disabled = True
                form.fields[name].help_text = ("建班后不能修改" if name == "school"
                                               else "决定班内学生的年级,建班后不能修改")
        return form

    def save_through_service(self, form):
        return school_class_rename(acting_user=self.request.user, school_class=self.object,
                                   class_name=form.cleaned_data["class_name"])


class SchoolClassViewSet(ScopedSnippetViewSet):
    model = m.SchoolClass
    add_view_class = SchoolClassCreateView
    edit_view_class = SchoolClassEditView
    icon = "group"
    menu_label = _("班级")
    # The class is the title (its link opens it), then its grade today, school and pupils.
    list_display = ["__str__", Column("grade", label=_("年级"), accessor=lambda c: c.grade_label()), "school",
                    Column("pupils", label=_("在籍学生"))]
    list_filter = ["stage", "cohort"]
    search_fields = ["school__name", "class_name"]
    search_backend_name = None
    form_fields = ["school", "stage", "cohort", "class_name"]
    # A snippet viewset ignores form_fields and offers every model field unless panels are given:
    # promoted_through would reach the form (and the create service would 500 on it).
    panels = [FieldPanel(name) for name in form_fields]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return super().get_queryset(request).select_related("school").annotate(
            pupils=Count("registrations", filter=Q(registrations__status__in=m.OPEN_STATUSES)))


class TemplateForm(forms.ModelForm):
    class Meta:
        model = m.AuxiliaryNumberTemplate
        fields = ["jurisdiction", "pattern"]


class TemplateSaveMixin(ServiceFormMixin):
    def save_through_service(self, form):
        return auxiliary_template_set(acting_user=self.request.user, jurisdiction=form.cleaned_data["jurisdiction"],
                                      pattern=form.cleaned_data["pattern"])


class AuxiliaryNumberTemplateViewSet(ScopedSnippetViewSet):
    model = m.AuxiliaryNumberTemplate
    icon = "code"
    menu_label = _("学籍辅号规则")
    add_view_class = type("TemplateCreateView", (TemplateSaveMixin, CreateView), {})
    edit_view_class = type("TemplateEditView", (TemplateSaveMixin, EditView), {})
    form_fields = ["jurisdiction", "pattern"]
    list_display = ["jurisdiction", "pattern"]


class ArchiveEntryForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("类别"), choices=[(k.value, k.label) for k in m.ArchiveEntryKind
                                                      if k in STAFF_KINDS])

    class Meta:
        model = m.ArchiveEntry
        fields = ["student", "kind", "title", "body", "corrects"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is not None:
            # The student is searched among those the user may add to (as in a case form), not
            # chosen through Wagtail's chooser of students, which lists and counts every
            # student the user reads (2 s a page at province size).
            from .case_fields import ScopedPickerWidget

            self.fields["student"].queryset = access.pickable(for_user, "student")
            self.fields["student"].widget = ScopedPickerWidget("student", user=for_user)
            # The entry corrected is named by the 更正此条目 link of its page (?corrects=), never
            # picked from a select of every entry the user reads (the province's: millions).
            self.fields["corrects"].queryset = access.in_scope(for_user, m.ArchiveEntry)
            self.fields["corrects"].widget = forms.HiddenInput()
            corrected = self.initial.get("corrects")
            if corrected is not None:
                self.fields["title"].help_text = f"更正「{corrected.title}」({corrected.get_kind_display()}):请写明更正后的内容"


class ArchiveEntryCreateView(ServiceFormMixin, CreateView):
    def get_form_class(self):
        return ArchiveEntryForm

    def get_form_kwargs(self):  # a plain ModelForm: Wagtail passes the user to its own forms only
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_initial(self):
        """From an entry's 更正此条目 link: the entry corrected and its student, if readable."""
        initial = super().get_initial()
        key = self.request.GET.get("corrects", "")
        if is_digits(key):
            corrected = access.in_scope(self.request.user, m.ArchiveEntry).filter(pk=int(key)).first()
            if corrected is not None:
                initial.update(corrects=corrected, student=corrected.student_id)
        return initial

    def save_through_service(self, form):
        profile = access.profile_of(self.request.user)
        return archive_entry_append(acting_user=self.request.user, school=profile.school if profile else None,
                                    **form.cleaned_data)


class ArchiveEntryIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        student_reads_record(acting_user=self.request.user, students=[e.student_id for e in context["object_list"]],
                             door=m.ReadDoor.ADMIN_ARCHIVE, what="档案条目列表")
        return context


class ArchiveEntryEditView(EditView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # append-only, a superuser included: a correction is a new entry


class ArchiveEntryInspectView(RegistryInspectView):
    @cached_property
    def header_buttons(self):
        """更正此条目: a correction is a new entry naming this one (append-only), offered where the
        user may add to the student's archive."""
        buttons = list(super().header_buttons)
        if access.pickable(self.request.user, "student").filter(pk=self.object.student_id).exists():
            url = reverse("wagtailsnippets_cases_archiveentry:add") + f"?corrects={self.object.pk}"
            buttons.append(HeaderButton("更正此条目", url=url, icon_name="edit"))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        student_reads_record(acting_user=self.request.user, students=[self.object.student_id],
                             door=m.ReadDoor.ADMIN_ARCHIVE, what=f"档案条目:{self.object.title}")
        return context


class ArchiveEntryViewSet(ScopedSnippetViewSet):
    """Entries are appended, never edited (no group holds the change permission, and the edit
    view refuses even a superuser)."""

    model = m.ArchiveEntry
    icon = "folder-inverse"
    menu_label = _("学籍档案")
    add_view_class = ArchiveEntryCreateView
    index_view_class = ArchiveEntryIndexView
    edit_view_class = ArchiveEntryEditView
    inspect_view_class = ArchiveEntryInspectView
    form_fields = ["student", "kind", "title", "body", "corrects"]
    list_display = ["student", "kind", "title", "school", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["student__name", "student__registry_number", "title"]
    search_backend_name = None
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "school")


class CalendarOverrideSaveMixin(ServiceFormMixin):
    def save_through_service(self, form):
        return calendar_override_set(acting_user=self.request.user, **form.cleaned_data)


class CalendarOverrideViewSet(ScopedSnippetViewSet):
    model = m.CalendarOverride
    icon = "date"
    menu_label = _("工作日调整")
    add_view_class = type("CalendarOverrideCreateView", (CalendarOverrideSaveMixin, CreateView), {})
    edit_view_class = type("CalendarOverrideEditView", (CalendarOverrideSaveMixin, EditView), {})
    form_fields = ["day", "is_working_day", "note"]
    list_display = ["day", "is_working_day", "note"]


class RegistryViewSetGroup(ViewSetGroup):
    menu_label = _("学籍管理")
    menu_icon = "folder-open-inverse"
    menu_order = 100
    items = (StudentViewSet, RegistrationViewSet, ArchiveEntryViewSet, SchoolViewSet, SchoolClassViewSet,
             JurisdictionViewSet, AuxiliaryNumberTemplateViewSet, CalendarOverrideViewSet, StaffProfileViewSet,
             ReadLogViewSet)
