"""``jsonl`` fixtures with full-precision datetimes (see cms/serializers/__init__.py)."""

from django.core.serializers import jsonl as django_jsonl

from . import KeepTreePrimaryKeys, LosslessJSONEncoder

Deserializer = django_jsonl.Deserializer


class Serializer(KeepTreePrimaryKeys, django_jsonl.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", LosslessJSONEncoder)
        super()._init_options()
