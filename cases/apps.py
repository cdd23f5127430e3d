from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "学籍管理"
    default_auto_field = "django.db.models.BigAutoField"
