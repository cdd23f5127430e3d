from django.apps import AppConfig


class GraphqlApiConfig(AppConfig):
    name = "graphql_api"
    verbose_name = "数据接口"
    default_auto_field = "django.db.models.BigAutoField"
