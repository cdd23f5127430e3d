"""The yearly promotion (第十六条) writes every class of the province once a year: its UPDATE of
``promoted_through`` stays on the class's page (a HOT update, no index entry written) when pages
keep room, and the promotion rows carry one index fewer (the unique (class, year) index serves
the look-ups by class)."""

import django.db.models.deletion
from django.db import migrations, models


def classes_keep_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Rows written later (and the table rewritten by a restore or VACUUM FULL) take it.
        schema_editor.execute("ALTER TABLE cases_schoolclass SET (fillfactor = 50)")


def classes_fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_schoolclass RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0021_province_search_keys_and_former_students'),
    ]

    operations = [
        migrations.AlterField(
            model_name='classpromotion',
            name='school_class',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='promotions', to='cases.schoolclass'),
        ),
        migrations.RunPython(classes_keep_room, classes_fill),
    ]
