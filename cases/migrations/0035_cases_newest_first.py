# The lists of cases, newest first, read off an index (the province's page: the head of it, not a sort).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0034_former_students_by_code'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-created_at', '-id'], name='case_newest_first'),
        ),
    ]
