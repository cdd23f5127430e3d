from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.snippets.models import register_snippet

from cases import models as m
from cases.admin import widgets  # noqa: F401  (the date picker in 2026年12月1日 form)
from cases.admin import hooks as case_hooks  # noqa: F401  (evidence serving, dashboard queues)
from cases.admin import certificates  # noqa: F401  (certificate PDF downloads)
from cases.admin import batch_print  # noqa: F401  (批量打印 from a class or a graduation roll)
from cases.admin.cases import CaseViewSet
from cases.admin.bulk_decisions import BulkApproveAction, BulkRejectAction
from cases.admin.students import PlaceInClassBulkAction
from cases.admin.viewsets import RegistryViewSetGroup
from cases.audit import ACTIONS

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
