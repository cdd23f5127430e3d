"""The registry log writes an entry per change (a batch of ten thousand numbers, ten thousand
entries) and reads few of its indexes: not the content type alone (an object's history asks its
``object_id``), not the revision (Wagtail asks that of page log entries only); the latest entry of
one user action (uuid, action) is asked only of entries written in a request, which alone carry a
uuid, so that index leaves out the batches' entries."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0036_fewer_indexes_to_write'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='registrylogentry',
            name='cases_regis_uuid_7c4c87_idx',
        ),
        migrations.AlterField(
            model_name='registrylogentry',
            name='content_type',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contenttypes.contenttype', verbose_name='content type'),
        ),
        migrations.AlterField(
            model_name='registrylogentry',
            name='revision',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='wagtailcore.revision'),
        ),
        migrations.AddIndex(
            model_name='registrylogentry',
            index=models.Index(condition=models.Q(('uuid__isnull', False)), fields=['uuid', 'action', '-timestamp'], name='registry_log_user_action'),
        ),
    ]
