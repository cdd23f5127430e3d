from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "站点"

    def ready(self):
        from cms import formguard
        from cms.chinese import label_fields, name_permissions

        post_migrate.connect(name_permissions, dispatch_uid="cms.chinese.name_permissions")
        label_fields()
        formguard.install()  # every form: a wrong shape is a Chinese field error, never a 500
