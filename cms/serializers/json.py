"""``json`` fixtures with full-precision datetimes (see cms/serializers/__init__.py)."""

from django.core.serializers import json as django_json

from . import KeepTreePrimaryKeys, LosslessJSONEncoder

Deserializer = django_json.Deserializer


class Serializer(KeepTreePrimaryKeys, django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", LosslessJSONEncoder)
        super()._init_options()
