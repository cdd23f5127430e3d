"""A unit's overdue suspensions read school by school (cases/admin/hooks.overdue_suspensions): a
partial index of the suspended by school and end date, beside the province's by end date."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0031_former_student_keys'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='registration',
            index=models.Index(condition=models.Q(('status', 'suspended')), fields=['school', 'suspended_until', 'id'], name='registration_suspended_school'),
        ),
    ]
