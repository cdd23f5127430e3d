from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "站点"

    def ready(self):
        from cms import formguard

        formguard.install()  # every form: a wrong shape is a Chinese field error, never a 500
