"""The read log in the admin (第三十八条): the authorities review who read which student's
record, when and through which door. Read-only for everyone, a superuser included: entries are
written by ``student_reads_record`` only."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import CreateView, EditView

from cases import models as m

from .scoping import ScopedSnippetViewSet


def _reader(entry):
    return (entry.user.get_full_name() if entry.user_id else "") or entry.username


class _Refused:
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class ReadLogViewSet(ScopedSnippetViewSet):
    model = m.ReadLogEntry
    icon = "view"
    menu_label = _("学籍查阅记录")
    add_view_class = type("ReadLogCreateView", (_Refused, CreateView), {})
    edit_view_class = type("ReadLogEditView", (_Refused, EditView), {})
    list_display = ["at", Column("reader", label=_("查阅人"), accessor=_reader), "door", "student", "what"]
    list_filter = ["door"]
    search_fields = ["student__name", "student__registry_number", "username"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_fields = ["at", "user", "door", "student", "what", "entry_hash"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "user")
