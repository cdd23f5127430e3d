import gc

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_case_workflows(**kwargs):
    # Workflows are derived from the case-type modules; keep the database in step with them.
    from cases.workflow import sync_case_workflows

    sync_case_workflows()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "学籍管理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registered before any viewset asks for a fallback policy.
        from cases.access import register_policies

        register_policies()
        self._guard_private_documents()
        from cases.appendonly import guard_decided_case_history

        guard_decided_case_history()  # a decided case's revisions, workflow, steps, evidence
        from cases import accounts

        accounts.connect()  # staff accounts are deactivated, never deleted
        from cases.admin.workflow_guard import hide_registry_tasks

        hide_registry_tasks()  # case workflows are derived from the code, never edited by hand
        post_migrate.connect(_sync_case_workflows, sender=self, dispatch_uid="xueji-sync-case-workflows")
        # What loading made (models, their fields, Wagtail's registries, the stdnum tables: some
        # 400,000 objects) lives as long as the process: kept out of the collector's full passes,
        # each of which would otherwise walk it all (~0.1 s) when a batch of ten thousand rows
        # allocates enough to set one off. The garbage of loading is collected first.
        gc.collect()
        gc.freeze()

    def _guard_private_documents(self):
        from django.db.models.signals import post_save, pre_delete, pre_save
        from wagtail.models import GroupCollectionPermission

        from cases import documents

        documents.hide_private_documents_from_bulk_actions()
        pre_save.connect(documents.refuse_replacing, sender="wagtaildocs.Document", dispatch_uid="xueji-doc-replace")
        pre_delete.connect(documents.refuse_deleting, sender="wagtaildocs.Document", dispatch_uid="xueji-doc-delete")
        post_save.connect(documents.undo_grants_over_evidence, sender=GroupCollectionPermission,
                          dispatch_uid="xueji-doc-grants")
