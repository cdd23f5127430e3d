import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
application = get_wsgi_application()


def settle():
    """Load what the first request would (the URL configuration, and with it the admin and the
    API's schema), then take everything loaded so far out of the garbage collector's scans
    (gc.freeze): a full collection otherwise walks the whole of Django, Wagtail and graphene
    each time, some 100 ms in a bulk service of ten thousand rows, and a worker forked from a
    preloaded master shares those pages instead of copying them."""
    from django.urls import get_resolver
    from graphene_django.settings import graphene_settings

    get_resolver().url_patterns  # noqa: B018 — imports cms.urls and every view module
    graphene_settings.SCHEMA  # noqa: B018 — imports and builds the API's schema
    gc.freeze()


settle()
