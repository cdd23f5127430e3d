from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.permissions import register_permission_policy
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from cases import models as m
from cases.admin import widgets  # noqa: F401  (the date picker in 2026年12月1日 form)
from cases.admin import hooks as case_hooks  # noqa: F401  (evidence serving, dashboard queues)
from cases.admin import certificates  # noqa: F401  (certificate PDF downloads)
from cases.admin import intake  # noqa: F401  (Excel intake, duplicate workbench)
from cases.admin import statistics  # noqa: F401  (statistics, oversight reports, the reports menu)
from cases.admin.exports import CertificateViewSet
from cases.admin.jobs import JobRunViewSet
from cases.admin import batch_print  # noqa: F401  (批量打印 from a class or a graduation roll)
from cases.admin.cases import CaseViewSet
from cases.admin.bulk_decisions import BulkApproveAction, BulkRejectAction
from cases.admin.students import PlaceInClassBulkAction
from cases.admin.viewsets import RegistryViewSetGroup
from cases.audit import ACTIONS

# Wagtail's document views ask this policy: private documents are out of their reach
# (cases/documents.py). Registered here, after wagtail.documents registered its own.
from cases.documents import PrivateDocumentPolicy  # noqa: E402

_private_policy = PrivateDocumentPolicy(get_document_model(), auth_model=get_document_model(),
                                       owner_field_name="uploaded_by_user")
register_permission_policy(get_document_model(), _private_policy)
register_permission_policy(get_document_model(), _private_policy, exact_class=True)

register_snippet(RegistryViewSetGroup)
for bulk_action in (PlaceInClassBulkAction, BulkApproveAction, BulkRejectAction):
    hooks.register("register_bulk_action", bulk_action)
register_snippet(CaseViewSet)
REGISTRY_MODELS = frozenset([*(viewset.model for viewset in RegistryViewSetGroup.items), m.Case])


@hooks.register("before_delete_snippet")
def refuse_deleting_registry_records(request, instances):
    """Registry records are append-only: the viewsets shut their delete views, and this shuts
    the snippets' bulk delete, which a superuser could otherwise use."""
    if any(type(instance) in REGISTRY_MODELS for instance in instances):
        return permission_denied(request)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_users(request, action_type, objects, action_class_instance):
    """The users listing's bulk delete: accounts are deactivated, never deleted (cases/accounts.py)."""
    from django.contrib.auth import get_user_model

    if action_type == "delete" and any(isinstance(o, get_user_model()) for o in objects):
        return permission_denied(request)
    return None


AUDITED_MODELS = [
    m.Jurisdiction, m.School, m.SchoolClass, m.Student, m.Registration, m.AuxiliaryNumber,
    m.AuxiliaryNumberTemplate, m.StaffProfile, m.ArchiveEntry, m.Case, m.CalendarOverride,
]


@hooks.register("register_log_actions")
def register_registry_log_actions(actions):
    for model in AUDITED_MODELS:
        actions.register_model(model, m.RegistryLogEntry)
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)

from cases.admin.print_jobs import PrintJobViewSet  # noqa: E402
register_snippet(PrintJobViewSet)
register_snippet(CertificateViewSet)
register_snippet(JobRunViewSet)


@hooks.register("construct_main_menu")
def hide_wagtail_help_menu(request, menu_items):
    """Wagtail's help menu links to its English guides on the internet: not for registrars."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]
    # The settings menu's footer reads "Wagtail v8.0.1": the same submenu without it.
    menu_items[:] = [SubmenuMenuItem(item.label, item.menu, name=item.name, icon_name=item.icon_name,
                                     classname=item.classname, order=item.order)
                     if item.name == "settings" and isinstance(item, SubmenuMenuItem) else item
                     for item in menu_items]
    if not request.user.is_superuser:
        # 片段, Wagtail's index of record types, repeats the 学籍管理 menu: only the superuser's.
        menu_items[:] = [item for item in menu_items if item.name != "snippets"]
