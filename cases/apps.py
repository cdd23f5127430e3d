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
        from cases import accounts

        accounts.connect()  # staff accounts are deactivated, never deleted
        post_migrate.connect(_sync_case_workflows, sender=self, dispatch_uid="xueji-sync-case-workflows")
