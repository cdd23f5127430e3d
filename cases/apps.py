from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "学籍管理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registered before any viewset asks for a fallback policy.
        from cases.access import register_policies

        register_policies()
