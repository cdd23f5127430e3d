"""A county's former students as one index range in registry-number order (issue 13): copies of
the school's supervising code and the student's registry number on the flagged registrations
(cases/services/current.py keeps them with the flag), and their partial index. Only the flagged
rows (a few per cent) are written."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_former_keys(apps, schema_editor):
    Registration, School, Student = (apps.get_model("cases", name) for name in ("Registration", "School", "Student"))
    Registration.objects.filter(student_elsewhere=True).update(
        former_scope_code=Subquery(School.objects.filter(pk=OuterRef("school_id")).values("scope_code")[:1]),
        former_registry_number=Subquery(Student.objects.filter(pk=OuterRef("student_id")).values("registry_number")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0030_read_log_student_without_constraint'),
    ]

    operations = [
        migrations.AddField(
            model_name='registration',
            name='former_registry_number',
            field=models.CharField(blank=True, editable=False, max_length=19, null=True),
        ),
        migrations.AddField(
            model_name='registration',
            name='former_scope_code',
            field=models.CharField(blank=True, editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(copy_former_keys, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='registration',
            index=models.Index(condition=models.Q(('student_elsewhere', True)), fields=['former_scope_code', 'former_registry_number', 'student'], name='registration_former_keys'),
        ),
    ]
