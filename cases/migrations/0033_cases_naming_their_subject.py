# The cases through which alone a unit reads their subject (cases.access._cases_naming): partial
# indexes over the cases in flight and approved placements, whatever the years of approved cases.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0032_suspended_by_school'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('student__isnull', False), models.Q(('state__in', ('approved',)), _negated=True)), fields=['scope_code', 'student'], name='case_undecided_origin'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('student__isnull', False), models.Q(models.Q(('state__in', ('approved',)), _negated=True), ('case_type__in', ('special_placement',)), _connector='OR')), fields=['destination_scope_code', 'student'], name='case_naming_destination'),
        ),
    ]
