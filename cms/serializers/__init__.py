"""Fixture formats for ``dumpdata``/``loaddata`` that lose nothing (settings.SERIALIZATION_MODULES).

Django's JSON encoder cuts datetimes and times to milliseconds. A dump then loads back
different rows, and the hash chains of the registry log and the read log (cases/chain.py,
whose hashes cover the stored timestamps) no longer verify. These formats write the full
microseconds; reading is Django's own (it parses either form).
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
