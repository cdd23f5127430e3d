"""The student in the admin: the list a registrar works from, the record (the default view),
the printable 学籍卡, and 分班 of many students at once."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import IndexView

from cases import access
from cases import models as m
from cases.audit import audit
from cases.edge import is_digits
from cases.errors import rule_errors
from cases.search import student_exact_query, student_search_branches, student_search_filter
from cases.services.certificates import chinese_date
from cases.services.placement import registrations_assign_class
from cases.services.reads import student_reads_record

from .display import RegistryInspectView
from .keyset import keyset_page

STATUS_LABELS = dict(m.RegistrationStatus.choices)
STAGE_LABELS = dict(m.Stage.choices)


def _current(user, field):
    # The latest registration the user may see: after a transfer the origin school sees its own
    # closed registration (已转出), not where the student went (第十四条).
    registrations = access.in_scope(user, m.Registration, m.Registration.objects.filter(student=OuterRef("pk")))
    return Subquery(registrations.order_by("-started_on", "-id").values(field)[:1])


def masked(user, instance):
    """``instance`` with its personal fields (a G registry number included) as ``user`` may see
    them (cases/access.py). The instance is display-only afterwards, never saved."""
    return access.personal_view(user, [instance])[0]


def class_label(stage, cohort, name, on=None):
    """初中2024级1班 · 八年级, from the annotated columns (no query)."""
    if not name:
        return "未分班"
    year = m.school_year_of(on or timezone.localdate())
    return _class_label(stage, cohort, name, year, translation.get_language())


@lru_cache(maxsize=4096)
def _class_label(stage, cohort, name, year, language):
    """The label depends on the school year only (the grade counts school years): computed once
    per class and year, not per row of a page."""
    school_class = m.SchoolClass(stage=stage, cohort=cohort, class_name=name)
    return f"{school_class} · {school_class.grade_label(datetime.date(year, 9, 1))}"


def _shown_registrations(user, students):
    """The registration each listed student shows: its current one when the user may see it,
    else the latest one the user may see (after a transfer the origin school sees its own
    closed registration, 已转出, not where the student went: 第十四条). At most one query."""
    scope = access.scope_of(user)
    shown, missing = {}, []
    for student in students:
        registration = student.current_registration
        if registration is not None and scope.covers_school(registration.school):
            shown[student.pk] = registration
        else:
            missing.append(student.pk)
    if missing:
        visible = access.in_scope(user, m.Registration, m.Registration.objects.filter(student_id__in=missing))
        for registration in visible.select_related("school", "school_class").order_by("student_id", "-started_on",
                                                                                        "-id"):
            shown.setdefault(registration.student_id, registration)
    return shown


class StudentIndexView(IndexView):
    """Keyset pages in registry-number order (cases/admin/keyset.py), each part of the scope
    read as its own index range (cases.access.student_parts), counted only on request
    (``?count=1``, up to 10,000), searched by the shape of the query (cases/search.py). The
    columns come from the current registration (one query for a page); a click opens the record."""

    def to_row_dict(self, item):  # the Excel export (list_export): labels, not codes
        item.current_status_label = STATUS_LABELS.get(item.current_status, "")
        item.current_class_label = class_label(item.current_class_stage, item.current_class_cohort,
                                               item.current_class_name)
        return super().to_row_dict(item)

    def get_base_queryset(self):
        # Built afresh on each call (not Wagtail's cached queryset): paginate_queryset builds
        # one per part of the scope.
        user = self.request.user
        queryset = access.in_scope(user, m.Student).select_related("current_registration__school",
                                                                 "current_registration__school_class")
        if not getattr(self, "is_export", False):
            return queryset
        return queryset.annotate(  # the export has no pages: the columns as subqueries
            current_school_name=_current(user, "school__name"),
            current_status=_current(user, "status"),
            current_class_name=_current(user, "school_class__class_name"),
            current_class_cohort=_current(user, "school_class__cohort"),
            current_class_stage=_current(user, "school_class__stage"),
        )

    def order_queryset(self, queryset):
        return queryset if not getattr(self, "is_export", False) else queryset.order_by("registry_number")

    def paginate_queryset(self, queryset, page_size):
        get = self.request.GET
        counted, fetch = None, None
        if not student_exact_query(self.search_query):
            # Each part of the scope and each branch of the search is read as its own ordered
            # index range (keys only), merged; the page's rows are then fetched by key.
            parts = access.student_parts(self.request.user)
            branches = (student_search_branches(self.search_query, user=self.request.user) if self.is_searching
                        else [None])
            queryset, counted = [], []
            for part in parts:
                with access.student_part(part):
                    for branch in branches:
                        self._search_branch = branch
                        queryset.append(self.get_queryset())
                    self._search_branch = None
                    if len(branches) > 1:
                        counted.append(self.get_queryset())

            def fetch(keys):  # the keys come from the scoped parts: no scope filter again
                return m.Student.objects.filter(registry_number__in=keys).select_related(
                    "current_registration__school", "current_registration__school_class")
        # The links carry the boundary student's id, never its registry number (a G number is the
        # ID number, cases/access.py); the id is turned back into its key within the user's scope.
        page = keyset_page(queryset, key="registry_number", size=page_size, after=self._key_of(get.get("after")),
                           before=self._key_of(get.get("before")), count=get.get("count") == "1", fetch=fetch,
                           counted=counted or None, cursor="pk")
        shown = _shown_registrations(self.request.user, page.object_list)
        for student in page.object_list:
            registration = shown.get(student.pk)
            school_class = registration.school_class if registration and registration.school_class_id else None
            student.current_school_name = registration.school.name if registration else ""
            student.current_status = registration.status if registration else ""
            student.current_class_name = school_class.class_name if school_class else ""
            student.current_class_cohort = school_class.cohort if school_class else None
            student.current_class_stage = school_class.stage if school_class else ""
        page.paginator = self  # Wagtail's context asks the paginator for a count and a page range
        return (self, page, page.object_list, True)

    def _key_of(self, cursor):
        """The registry number of the student a page link names (its id), if in the user's
        scope; else no cursor (the first page). One indexed look-up."""
        if not cursor or not is_digits(str(cursor)):
            return None
        return access.in_scope(self.request.user, m.Student).filter(pk=int(cursor)).values_list(
            "registry_number", flat=True).first()

    # The paginator interface Wagtail's listing context reads.
    count = None

    # --- a page of fifty rows without fifty times the same work -----------------------------
    # Wagtail asks the permission policy and reverses each row's URLs (edit, inspect, history…)
    # per row, and renders every cell through a template: most of a page's time at 50 rows.
    # Permissions are per model here (the scope was applied to the rows), so each action is
    # asked once; a URL is reversed once and the key put in; plain cells are formatted directly
    # (the same markup as wagtailadmin/tables/cell.html).
    def user_has_permission(self, permission):
        cache = self.__dict__.setdefault("_permissions", {})
        if permission not in cache:
            cache[permission] = super().user_has_permission(permission)
        return cache[permission]

    def user_has_any_permission(self, permissions):
        return any(self.user_has_permission(p) for p in permissions)

    _PK = 918273645546372819

    def _reverse_row(self, url_name, pk):
        cache = self.__dict__.setdefault("_url_templates", {})
        if url_name not in cache:
            cache[url_name] = reverse(url_name, args=(self._PK,))
        return cache[url_name].replace(str(self._PK), str(pk))

    def get_edit_url(self, instance):
        if self.edit_url_name and self.user_has_permission("change"):
            return self._reverse_row(self.edit_url_name, instance.pk)

    def get_inspect_url(self, instance):
        if self.inspect_url_name and self.user_has_any_permission({"add", "change", "delete", "view"}):
            return self._reverse_row(self.inspect_url_name, instance.pk)

    def get_elided_page_range(self, number):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        keyset = context.get("page_obj")
        if keyset is not None:
            context["items_count"] = keyset.count if keyset.count is not None else len(keyset.object_list)
        user = self.request.user
        page = list(context["object_list"])
        access.personal_view(user, page)  # ID and G registry numbers masked unless held: one query
        # 第三十八条: the page's students, one INSERT
        student_reads_record(acting_user=user, students=page, door=m.ReadDoor.ADMIN_LIST,
                             what="学生列表")
        return context

    _search_branch = None

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(self._search_branch if self._search_branch is not None
                               else student_search_filter(self.search_query, user=self.request.user))

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # Wagtail's own, linking to the record instead of the contact-details form (Wagtail links
        # the edit view whenever the user may edit).
        return self._get_custom_column(field_name, self._get_title_column_class(column_class),
                                       get_url=self.get_inspect_url,
                                       get_title_id=lambda instance: f"snippet_{instance.pk}_title", **kwargs)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for button in buttons:
            if button.url == self.get_edit_url(instance):
                button.label = "修改联系信息"
            elif button.url == self.get_inspect_url(instance):
                button.label = "学籍档案"
        return buttons


STUDENT_LIST_DISPLAY = [
    "registry_number",
    "name",
    "gender",
    "id_number",
    Column("current_school_name", label=_("当前学校")),
    Column("current_class", label=_("班级 · 年级"),
           accessor=lambda s: class_label(s.current_class_stage, s.current_class_cohort, s.current_class_name)),
    Column("current_status", label=_("学籍状态"), accessor=lambda s: STATUS_LABELS.get(s.current_status, "")),
]


# --- the record ------------------------------------------------------------------------------
@dataclass
class TimelineItem:
    day: datetime.date
    kind: str
    title: str
    detail: str = ""
    school: str = ""
    url: str = ""

    @property
    def date_label(self):
        return chinese_date(self.day)


def _day(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def student_timeline(user, student, registrations):
    """One timeline across schools: registrations and their events, class moves, cases,
    certificates and archive entries, newest first. A fixed number of queries."""
    items = []
    for r in registrations:
        items.append(TimelineItem(r.started_on, "学籍", f"在{r.school.name}建立{r.get_stage_display()}学籍",
                                  school=r.school.name))
        for e in r.events.all():
            if not e.status_from:
                continue  # the opening event is the registration itself
            items.append(TimelineItem(e.occurred_on, "学籍状态",
                                      f"{e.get_status_from_display()} → {e.get_status_to_display()}", e.reason,
                                      r.school.name))
    moves = m.RegistryLogEntry.objects.filter(
        action="xueji.registration.class", object_id__in=[str(r.pk) for r in registrations],
        content_type__model="registration",
    ).order_by("timestamp")
    schools = {str(r.pk): r.school.name for r in registrations}
    for entry in moves:
        data = entry.data or {}
        items.append(TimelineItem(_day(entry.timestamp), "分班",
                                  f"{data.get('from') or '未分班'} → {data.get('to', '')}", data.get("reason", ""),
                                  schools.get(entry.object_id, "")))
    cases = access.in_scope(user, m.Case, student.cases.all()).select_related("school")
    for case in cases:
        items.append(TimelineItem(_day(case.decided_at or case.submitted_at or case.created_at), "学籍变动",
                                  f"{case.type_name} {case.number}", case.get_state_display(), case.school.name,
                                  reverse("wagtailsnippets_cases_case:edit", args=[case.pk])))
    for certificate in access.certificates_visible(user, student.certificates.select_related("school")):
        items.append(TimelineItem(_day(certificate.issued_at), "证书", f"签发{certificate.get_kind_display()}",
                                  certificate.serial, certificate.school.name if certificate.school_id else ""))
        if certificate.revoked_at:
            items.append(TimelineItem(_day(certificate.revoked_at), "证书",
                                      f"作废{certificate.get_kind_display()}", certificate.revoke_reason))
    # 第十四条: the former side reads the archive up to its hand-over (the same rule as the lists);
    # entries written with the student's numbers read them masked unless the user holds the student.
    entries = list(access.in_scope(user, m.ArchiveEntry, student.archive_entries.select_related("school")))
    stored = m.Student.objects.filter(pk=student.pk).first() if entries and not access.students_held(
        user, [student.pk]) else None
    for entry in entries:
        items.append(TimelineItem(_day(entry.recorded_at), "档案",
                                  access.personal_text(user, stored, f"{entry.get_kind_display()}:{entry.title}"),
                                  access.personal_text(user, stored, entry.body),
                                  entry.school.name if entry.school_id else ""))
    return sorted(items, key=lambda item: item.day, reverse=True)


def _number_changes(user, student):
    """L → G conversions, the numbers as ``user`` may see them (the new G number is the ID number)."""
    changes = list(student.number_changes.all())
    if not access.students_held(user, [student.pk]):
        for change in changes:
            change.old_number = access.mask("registry_number", change.old_number)
            change.new_number = access.mask("registry_number", change.new_number)
    return changes


def record_context(user, student):
    registrations = list(
        access.in_scope(user, m.Registration, student.registrations.all())
        .select_related("school", "school_class").prefetch_related("events", "auxiliary_numbers")
        .order_by("-started_on", "-id")
    )
    current = registrations[0] if registrations else None
    return {
        "student": student,
        "registrations": registrations,
        "current": current,
        "current_class": class_label(current.school_class.stage, current.school_class.cohort,
                                     current.school_class.class_name) if current and current.school_class_id else "未分班",
        "timeline": student_timeline(user, student, registrations),
        "number_changes": _number_changes(user, student),
        "guardians": [masked(user, g) for g in student.guardians.all()],
        "birth_date": chinese_date(student.birth_date),
        "today": chinese_date(timezone.localdate()),
    }


class StudentInspectView(RegistryInspectView):
    template_name = "cases/admin/student_inspect.html"
    page_title = "学籍档案"

    def get_object(self, queryset=None):
        # Personal data whole only for the holder of the registration; masked for any other
        # unit that may read the student.
        return masked(self.request.user, super().get_object(queryset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        student = self.object
        user = self.request.user
        context.update(record_context(user, student))
        context.update(
            certificates=access.certificates_visible(user, student.certificates.order_by("-issued_at")),
            certificate_kinds=m.CertificateKind.choices, revoke_kinds=m.RevokeKind.choices,
            # 第十四条: only the holder of the registration issues, revokes and prints; the
            # former school reads. No button that would answer 403.
            acts_for_student=access.holds_student(user, student),
            edit_url=self.get_edit_url(),  # within the write scope only (RegistryInspectView)
            card_url=reverse("xueji_student_card", args=[student.pk]),
        )
        student_reads_record(acting_user=user, students=[student], door=m.ReadDoor.ADMIN_STUDENT,
                             what="学生详情(学籍、档案、证书)")
        return context


def student_card_pdf(request, pk):
    """学籍卡: the record on one printable sheet (WeasyPrint, as the certificates); every print
    is in the audit log."""
    from weasyprint import HTML

    student = masked(request.user, access.get_in_scope_or_404(request.user, m.Student, pk=pk))
    context = record_context(request.user, student)
    html = render_to_string("certificates/registry_card.html", context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    audit(student, "xueji.student.card_print", acting_user=request.user, data={})
    student_reads_record(acting_user=request.user, students=[student], door=m.ReadDoor.STUDENT_CARD_PDF, what="学籍卡")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{student.registry_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@hooks.register("register_admin_urls")
def register_student_urls():
    return [path("students/<int:pk>/card/", student_card_pdf, name="xueji_student_card")]


# --- 分班 in bulk -----------------------------------------------------------------------------
class PlacementForm(forms.Form):
    school_class = forms.ModelChoiceField(label="分入班级", queryset=m.SchoolClass.objects.none(),
                                          empty_label="请选择班级")
    reason = forms.CharField(label="事由", max_length=200, initial="新生分班")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        profile = access.profile_of(user)
        classes = m.SchoolClass.objects.none()
        if profile is not None and profile.school_id:
            today = timezone.localdate()
            classes = m.SchoolClass.objects.filter(school_id=profile.school_id).order_by("stage", "-cohort",
                                                                                          "class_name")
            self.fields["school_class"].label_from_instance = lambda c: f"{c} · {c.grade_label(today)}"
        self.fields["school_class"].queryset = classes


class PlaceInClassBulkAction(SnippetBulkAction):
    """选中多名学生 → 选择班级: the school's open registrations of the chosen students move in one
    service call; a student who cannot move refuses the batch and is named."""

    display_name = _("分班")
    action_type = "place_in_class"
    aria_label = _("将选中的学生分入班级")
    template_name = "cases/admin/bulk_place_in_class.html"
    action_priority = 10
    models = [m.Student]

    def get_form_class(self):
        return PlacementForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    @classmethod
    def get_queryset(cls, model, object_ids):
        return m.Student.objects.none()  # replaced by the scoped get_actionable_objects below

    @cached_property
    def _objects(self):
        ids = [i for i in self.request.GET.getlist("id") if is_digits(i)]
        students = access.in_scope(self.request.user, m.Student, m.Student.objects.filter(pk__in=ids),
                                   actions=["change"])
        return list(students.order_by("registry_number")[:2000])

    def get_actionable_objects(self):
        # Only students the user may change: an id out of scope is dropped, like a missing one.
        return self._objects, {"items_with_no_access": []}

    def check_perm(self, obj):
        return self.request.user.has_perm("cases.change_registration")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("cases.change_registration"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        registrations = m.Registration.objects.open().filter(student__in=self._objects)
        try:
            moved = registrations_assign_class(acting_user=self.request.user, registrations=registrations,
                                               school_class=form.cleaned_data["school_class"],
                                               reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for item in rule_errors(error):
                form.add_error(None, item["message"])
            return self.form_invalid(form)
        messages.success(self.request, f"已将 {moved} 名学生分入{form.cleaned_data['school_class']}")
        return self._redirect()

    def _redirect(self):
        from django.shortcuts import redirect

        return redirect(self.next_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or context.get("form")
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):  # form_valid does the work through the service
        raise NotImplementedError
