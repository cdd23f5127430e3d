from django.db import migrations, models


def normalize_existing_names(apps, schema_editor):
    """Names stored before normalisation (cases/identity.py): fold them and recompute their
    pinyin, in batches, writing only the rows that change."""
    from cases.identity import name_pinyin, normalize_name

    Student = apps.get_model("cases", "Student")
    batch = []
    for student in Student.objects.only("pk", "name", "name_pinyin").iterator(chunk_size=2000):
        name = normalize_name(student.name) or student.name
        pinyin = name_pinyin(name)[:300]
        if (name, pinyin) != (student.name, student.name_pinyin):
            student.name, student.name_pinyin = name, pinyin
            batch.append(student)
        if len(batch) >= 2000:
            Student.objects.bulk_update(batch, ["name", "name_pinyin"])
            batch = []
    if batch:
        Student.objects.bulk_update(batch, ["name", "name_pinyin"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_certificates_and_lookups")]

    operations = [
        migrations.AlterField(
            model_name="student",
            name="name_pinyin",
            field=models.CharField(db_index=True, editable=False, max_length=300, verbose_name="姓名拼音"),
        ),
        # Reversing keeps the normalised names: the originals differed only by invisible characters.
        migrations.RunPython(normalize_existing_names, migrations.RunPython.noop),
    ]
