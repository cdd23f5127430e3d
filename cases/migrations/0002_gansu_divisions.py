"""Ship Gansu's province, 14 cities and 88 counties (GB/T 2260) with the one-digit county codes
of the high-school auxiliary number (第十条). Townships and other provinces are loaded with
``manage.py import_divisions``."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gansu-divisions.csv"
LEVELS = {2: "province", 4: "city", 6: "county"}


def load(apps, schema_editor):
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    by_code = {}
    with DATA.open(encoding="utf-8") as handle:
        for row in sorted(csv.DictReader(handle), key=lambda r: (len(r["code"]), r["code"])):
            code = row["code"]
            by_code[code] = Jurisdiction.objects.create(
                code=code, name=row["name"], level=LEVELS[len(code)], parent=by_code.get(code[:-2]),
                auxiliary_code=row["auxiliary_code"],
            )


def unload(apps, schema_editor):
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for level in ("township", "county", "city", "province"):
        Jurisdiction.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
