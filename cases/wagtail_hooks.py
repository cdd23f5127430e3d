from wagtail import hooks
from wagtail.snippets.models import register_snippet

from cases import models as m
from cases.admin.viewsets import RegistryViewSetGroup
from cases.audit import ACTIONS

register_snippet(RegistryViewSetGroup)

AUDITED_MODELS = [
    m.Jurisdiction, m.School, m.SchoolClass, m.Student, m.Registration, m.AuxiliaryNumber,
    m.AuxiliaryNumberTemplate, m.StaffProfile, m.ArchiveEntry,
]


@hooks.register("register_log_actions")
def register_registry_log_actions(actions):
    for model in AUDITED_MODELS:
        actions.register_model(model, m.RegistryLogEntry)
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
