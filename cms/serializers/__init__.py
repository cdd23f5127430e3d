"""Fixture formats for ``dumpdata``/``loaddata`` that lose nothing (settings.SERIALIZATION_MODULES).

Django's JSON encoder cuts datetimes and times to milliseconds. A dump then loads back
different rows, and the hash chains of the registry log and the read log (cases/chain.py,
whose hashes cover the stored timestamps) no longer verify. These formats write the full
microseconds; reading is Django's own (it parses either form).

Tree nodes (treebeard: collections) keep their primary key under ``--natural-primary``. A
collection's natural key is its path of names, read from its ancestors in the database, so a
collection not loaded yet (an evidence collection, 证明材料 / 620102) would read as its parent's
key and overwrite it (the root), and everything filed under the lost collection would fail to load.
"""

import datetime

from django.core.serializers.json import DjangoJSONEncoder


class LosslessJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return super().default(o) if o.utcoffset() is not None else o.isoformat()
        return super().default(o)


class KeepTreePrimaryKeys:
    def get_dump_object(self, obj):
        from treebeard.mp_tree import MP_Node

        data = super().get_dump_object(obj)
        if isinstance(obj, MP_Node) and "pk" not in data:
            data = {"model": data["model"], "pk": self._value_from_field(obj, obj._meta.pk), "fields": data["fields"]}
        return data
