"""Existing cases' ``details`` in the typed form of their case type's declaration
(cases/case_types/fields.py): codes for choices typed as labels, ISO dates, integers for keys
and counts, normalised ID numbers. Values that cannot be read are kept as they were."""

from django.db import migrations

BATCH = 500


def forwards(apps, schema_editor):
    from cases.case_types import get_case_type
    from cases.case_types.fields import normalise_stored

    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("id", "case_type", "details").order_by("pk").iterator(chunk_size=2000):
        case_type = get_case_type(case.case_type)
        if case_type is None or not case.details:
            continue
        typed = normalise_stored(case_type, case.details)
        if typed != case.details:
            case.details = typed
            changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["details"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["details"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_excel_intake_exports_scheduled_jobs")]

    # Backwards: nothing to undo (the typed values mean what the untyped ones meant).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
