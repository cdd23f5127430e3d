"""Put every admin door of a model behind cases/access.py.

Wagtail's viewsets check model permissions; a registered permission policy scopes some of
their listings but not, by itself, the object views (edit, inspect, history, usage, delete,
revisions…) nor the choosers. Instead of patching each view, every view a viewset builds goes
through ``construct_view`` and gets ``ScopeGuardMixin``: any URL that names an object answers
404 when the object is out of the user's read scope, and 403 for a write view on an object the
user may only read.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.contrib.admin.utils import unquote
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cases import access
from cases.errors import rule_errors

WRITE_PERMISSIONS = {"change", "delete", "publish", "lock", "unlock"}


def _scoped_exists(user, model, pk, actions):
    policy = access.policy_for(model)
    try:
        return model._default_manager.filter(Q(pk=unquote(str(pk))) & policy.scope_filter(user, actions)).exists()
    except (ValueError, TypeError, ValidationError):
        return False


class ScopeGuardMixin:
    def dispatch(self, request, *args, **kwargs):
        if getattr(self, "permission_required", None) == "delete":
            raise PermissionDenied  # registry records are append-only: nothing is deleted
        pk = kwargs.get("pk")
        model = getattr(self, "model", None) or getattr(self, "model_class", None)
        if pk is not None and model is not None:
            if not _scoped_exists(request.user, model, pk, ["view"]):
                raise Http404
            if getattr(self, "permission_required", None) in WRITE_PERMISSIONS and not _scoped_exists(
                request.user, model, pk, ["change"]
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedChooserMixin:
    def get_object_list(self):
        return access.in_scope(self.request.user, self.model_class, super().get_object_list())

    def get_object(self, pk):
        return access.in_scope(self.request.user, self.model_class).get(pk=pk)


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
            for item in rule_errors(error):
                message = item["message"] + (f"({item['article']})" if item["article"] else "")
                form.add_error(item["field"] if item["field"] in form.fields else None, message)
            return self.form_invalid(form)


class ScopedSnippetViewSet(SnippetViewSet):
    chooser_viewset_class = ScopedChooserViewSet
    # Registry records are never deleted (append-only archive) and have no revisions to copy.
    copy_view_enabled = False
    inspect_view_enabled = True

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(_guarded(view_class, ScopeGuardMixin), **kwargs)

    def get_queryset(self, request):
        return access.in_scope(request.user, self.model, self.model._default_manager.all())
