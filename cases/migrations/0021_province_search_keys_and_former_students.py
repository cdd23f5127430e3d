"""Province scale (issue 13): covering prefix indexes for name search (a page's keys read from
the index alone), the former-students flag on registrations with its partial index, and the
county's overdue suspensions as index ranges."""

from django.db import migrations, models
from django.db.models import F


def mark_students_elsewhere(apps, schema_editor):
    """Registrations at a school of another supervising unit than the student's current one."""
    Registration = apps.get_model("cases", "Registration")
    Registration.objects.exclude(school__scope_code=F("student__scope_code")).update(student_elsewhere=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0020_merge_evidence_groups_read_log'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='student',
            name='student_name_prefix',
        ),
        migrations.RemoveIndex(
            model_name='student',
            name='student_pinyin_prefix',
        ),
        migrations.RemoveIndex(
            model_name='student',
            name='student_initials_prefix',
        ),
        migrations.AddField(
            model_name='registration',
            name='student_elsewhere',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_students_elsewhere, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='registration',
            name='registration_suspended_until',
        ),
        migrations.AddIndex(
            model_name='registration',
            index=models.Index(condition=models.Q(('status', 'suspended')), fields=['suspended_until'], include=('school', 'id'), name='registration_suspended_keys'),
        ),
        migrations.AddIndex(
            model_name='registration',
            index=models.Index(condition=models.Q(('student_elsewhere', True)), fields=['school'], name='registration_left_scope'),
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(fields=['name'], include=('registry_number', 'scope_code', 'current_school'), name='student_name_prefix_keys', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(fields=['name_pinyin'], include=('registry_number', 'scope_code', 'current_school'), name='student_pinyin_prefix_keys', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='student',
            index=models.Index(fields=['name_initials'], include=('registry_number', 'scope_code', 'current_school'), name='student_initials_prefix_keys', opclasses=['varchar_pattern_ops']),
        ),
    ]
