"""Put every admin door of a model behind cases/access.py.

Wagtail's viewsets check model permissions; a registered permission policy scopes some of
their listings but not, by itself, the object views (edit, inspect, history, usage, delete,
revisions…) nor the choosers. Instead of patching each view, every view a viewset builds goes
through ``construct_view`` and gets ``ScopeGuardMixin``: any URL that names an object answers
404 when the object is out of the user's read scope, and 403 for a write view on an object the
user may only read. Create and edit forms get ``ScopedFormMixin`` (related objects offered and
accepted only in scope, and the saved object must stay in the user's write scope); history
views get ``ScopedHistoryMixin`` (only the audit entries of the user's scope); choosers get
``ScopedChooserMixin`` (scope *and* model permission, for lists, one pick and several picks).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import IndexView
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cases import access
from cases import models as m
from cases.appendonly import AppendOnlyError
from cases.errors import RuleError, rule_errors

from .display import RegistryInspectView

WRITE_PERMISSIONS = {"change", "delete", "publish", "lock", "unlock"}


def _scoped_exists(user, model, pk, actions):
    policy = access.policy_for(model)
    try:
        return model._default_manager.filter(Q(pk=unquote(str(pk))) & policy.scope_filter(user, actions)).exists()
    except (ValueError, TypeError, ValidationError):
        return False


def _is_decided(model, pk):
    from cases.models.cases import DECIDED_STATES, Case

    try:
        return model is Case and Case.objects.filter(pk=unquote(str(pk)), state__in=DECIDED_STATES).exists()
    except (ValueError, TypeError, ValidationError):
        return False


class ScopeGuardMixin:
    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        model = getattr(self, "model", None) or getattr(self, "model_class", None)
        # Scope first: an out-of-scope object answers exactly like a missing one, on every view
        # (the delete view's refusal below would otherwise tell that it exists).
        if pk is not None and model is not None and not _scoped_exists(request.user, model, pk, ["view"]):
            raise Http404
        if getattr(self, "permission_required", None) == "delete":
            raise PermissionDenied  # registry records are append-only: nothing is deleted
        if pk is not None and model is not None:
            write = getattr(self, "permission_required", None) in WRITE_PERMISSIONS
            if write and not _scoped_exists(request.user, model, pk, ["change"]):
                raise PermissionDenied
            # A decided case is history (cases/appendonly.py): no write door acts on it, a
            # superuser included (lock, unlock, unpublish, revert…: 403, never the model's refusal
            # surfacing as a 500). Reading its page (the edit view's GET) stays.
            if write and request.method == "POST" and _is_decided(model, pk):
                raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except AppendOnlyError as error:  # any other path to an append-only row: refused, not a 500
            raise PermissionDenied(error.message) from error


class ScopedChooserMixin:
    """A chooser offers what the user may view: in scope *and* with the model's view permission
    (a school registrar has no cases.view_staffprofile, so it is offered no staff profile).
    It creates nothing: its "create" tab would save the model's form as it is, past the
    services (no rule, no audit entry); records are created from their own menus."""

    def can_create(self):
        return False

    def get_object_list(self):
        return access.visible(self.request.user, self.model_class, queryset=super().get_object_list())

    def get_object(self, pk):
        return access.visible(self.request.user, self.model_class).get(pk=pk)

    def get_objects(self, pks):  # chosen-multiple
        return access.visible(self.request.user, self.model_class).filter(pk__in=pks)


def _form_with_rule_errors(view, form, error):
    """The form again, with a rule's errors on their fields, in Chinese with the article."""
    for item in rule_errors(error):
        message = item["message"] + (f"({item['article']})" if item["article"] else "")
        form.add_error(item["field"] if item["field"] in form.fields else None, message)
    # Wagtail's form_invalid reads these; they are set only by its own is_valid().
    view.produced_error_code = "validation_error"
    view.produced_error_message = view.get_error_message()
    return view.form_invalid(form)


class ScopedFormMixin:
    """Create and edit views: a related object (a school's county, a class's school, a
    template's jurisdiction…) is offered and accepted only from the user's scope, and what is
    saved must land in the user's write scope: a county cannot put a school under the city
    bureau, nor hand it to another county. Refusal rolls the save back (form_valid's atomic)."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        for field in form.fields.values():
            queryset = getattr(field, "queryset", None)
            # A disabled field takes no input: it keeps the stored value, whoever looks.
            if queryset is not None and queryset.model in access.POLICIES and not field.disabled:
                # Offered: what the user may view *and* place things under (write scope: every
                # unit reads the jurisdictions, a county files schools only under itself).
                user = self.request.user
                field.queryset = access.in_scope(user, queryset.model, access.visible(
                    user, queryset.model, queryset=queryset), actions=["change"])
        return form

    def save_instance(self):
        instance = super().save_instance()
        model = type(instance)
        if model in access.POLICIES and not access.in_scope(
            self.request.user, model, actions=["change"]
        ).filter(pk=instance.pk).exists():
            raise RuleError("out_of_scope", "保存后的记录将超出本单位的管辖范围")
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            return _form_with_rule_errors(self, form, error)


class ScopedHistoryMixin:
    """An object's history shows the audit entries of the user's scope: after a transfer the
    origin school keeps its own entries, not those the new school writes."""

    def get_base_queryset(self):
        return super().get_base_queryset().filter(access.audit_scope_filter(self.request.user))


class ScopedExportMixin:
    """A listing's Excel/CSV export (Wagtail's ``list_export``) holds exactly the filtered rows
    of the user's scope (the listing's own queryset), is bounded, and is logged as a read."""

    def as_spreadsheet(self, queryset, spreadsheet_format):
        from django.contrib import messages
        from django.shortcuts import redirect

        from cases.services.exports import EXPORT_MAX_ROWS, export_record

        rows = len(queryset)  # the listing has already loaded its rows
        if rows > EXPORT_MAX_ROWS:
            messages.error(self.request, f"超过 {EXPORT_MAX_ROWS} 行,请先筛选缩小范围再导出")
            params = self.request.GET.copy()
            params.pop("export", None)
            return redirect(self.request.path + "?" + params.urlencode())
        query = self.request.GET.copy()
        query.pop("export", None)
        from cases.models import Student

        # The students' own list logs its reads itself (StudentIndexView); the others name theirs here.
        students = () if self.model is Student else [getattr(item, "student_id", None) for item in queryset]
        export_record(user=self.request.user, kind=f"{self.model._meta.model_name}.{spreadsheet_format}", rows=rows,
                      query=query.urlencode(), students=students)
        return super().as_spreadsheet(queryset, spreadsheet_format)


class StudentRowsMixin:
    """Listings of records about a student (registrations, archive entries, cases, certificates,
    the read log): the student column shows the G registry number whole only to the holder (a
    G number is "G" + the ID number; ``Student.__str__`` masks it unless told, and
    ``access.personal_view`` tells it for the page's held students, one query), and the export
    writes what the page shows. The search box finds the student as the student list does
    (cases/search.py: names, pinyin and initials by prefix, numbers restricted to the students the
    user holds, never ``icontains`` on a registry number), or the listing's own text fields."""

    def search_queryset(self, queryset):
        fields = list(self.search_fields or [])
        if not self.is_searching or not any(f.startswith("student__") for f in fields):
            return super().search_queryset(queryset)
        from cases.search import student_search_filter

        # The student as the student list finds one (name, pinyin or initials by prefix, numbers
        # whole), through the students' indexes; each other field is a branch of its own and the
        # branches' keys are united. One OR across the joined tables could use no index: a scan
        # of the listing's whole table (the province's six million registrations: 9.8 s).
        manager = self.model._default_manager
        user = self.request.user
        # Among the students the user reads, part by part (the index ranges of the scope, each a
        # statement of its own in a UNION: one OR of them is planned as a scan of every match in
        # the province, the 186,000 students named 陈 for a county's 3,700).
        match = student_search_filter(self.search_query, user=user)
        students = [m.Student.objects.filter(part & match).order_by().values("pk")
                    for part in access.student_parts(user)]
        branches = [manager.filter(student__in=students[0].union(*students[1:]) if len(students) > 1
                                   else students[0])] + [
            manager.filter(**{f"{field}__icontains": self.search_query})
            for field in fields if not field.startswith("student__")]
        keys = [branch.order_by().values("pk") for branch in branches]
        return queryset.filter(pk__in=keys[0].union(*keys[1:]) if len(keys) > 1 else keys[0])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = getattr(self, "model", None)
        field = model._meta.get_field("student") if model is not None and any(
            f.name == "student" for f in model._meta.get_fields()) else None
        if field is not None and getattr(field, "many_to_one", False):
            rows = context.get("object_list") or []
            access.personal_view(self.request.user, [row.student for row in rows
                                                     if row.student_id and field.is_cached(row)])
        return context


class PlainColumn(Column):
    """A Column whose cells are formatted without a template (wagtailadmin/tables/cell.html)."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        else:  # as the template's {{ value }}: local time, the locale's formats (2026年3月2日 9:30)
            value = localize(template_localtime(value))
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class PlainCellsMixin:
    """Every listing's plain cells are formatted directly (the same markup as
    wagtailadmin/tables/cell.html): through the template, a page of fifty rows spent most of its
    time rendering a few hundred cells (a county's case list ~60 ms of ~200)."""

    @cached_property
    def columns(self):
        columns = super().columns
        for column in columns:
            if type(column) is Column and column.cell_template_name == Column.cell_template_name:
                column.__class__ = PlainColumn
        return columns


def _guarded(view_class, *mixins):
    return type(view_class.__name__, (*mixins, view_class), {})


class ScopedChooserViewSet(SnippetChooserViewSet):
    def construct_view(self, view_class, **kwargs):
        return super().construct_view(_guarded(view_class, ScopedChooserMixin, ScopeGuardMixin), **kwargs)


class ServiceFormMixin:
    """Edit and create views save through a service; its rule errors land on the form, in
    Chinese with the article, and nothing is saved."""

    def save_through_service(self, form):
        raise NotImplementedError

    def save_instance(self):
        return self.save_through_service(self.form)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            return _form_with_rule_errors(self, form, error)


class ScopedSnippetViewSet(SnippetViewSet):
    chooser_viewset_class = ScopedChooserViewSet
    inspect_view_class = RegistryInspectView
    # Registry records are never deleted (append-only archive) and have no revisions to copy.
    copy_view_enabled = False
    inspect_view_enabled = True

    def construct_view(self, view_class, **kwargs):
        mixins = [ScopeGuardMixin]
        if hasattr(view_class, "save_instance"):
            mixins.append(ScopedFormMixin)
        if issubclass(view_class, HistoryView):
            mixins.append(ScopedHistoryMixin)
        if issubclass(view_class, IndexView):
            mixins.insert(0, ScopedExportMixin)
            mixins.insert(0, StudentRowsMixin)
            mixins.insert(0, PlainCellsMixin)
        return super().construct_view(_guarded(view_class, *mixins), **kwargs)

    def get_queryset(self, request):
        return access.in_scope(request.user, self.model, self.model._default_manager.all())

    def get_edit_view_kwargs(self, **kwargs):
        # SnippetViewSet ignores ``form_fields`` and falls back to a panel for every field of
        # the model: the edit form must offer only the fields the viewset names (a student's
        # contact details, not the name or ID number, which change only through a case, 第十五条).
        form_fields = getattr(self, "form_fields", None)
        if form_fields and not any(hasattr(self, name) for name in ("panels", "edit_handler")):
            panel = ObjectList([FieldPanel(name) for name in form_fields]).bind_to_model(self.model)
            kwargs = {"panel": panel, "form_class": panel.get_form_class(), **kwargs}
        return super().get_edit_view_kwargs(**kwargs)
