"""The read log's student without a database constraint (cases/models/reads.py): the deferred
check took FOR KEY SHARE on every student read, at commit, under the chain's advisory lock, so a
case approval holding a student FOR UPDATE stalled every reader of the province. Dropping a
constraint is instant; students are never deleted."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0029_registry_log_indexes_with_readers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='readlogentry',
            name='student',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.student', verbose_name='学生'),
        ),
    ]
