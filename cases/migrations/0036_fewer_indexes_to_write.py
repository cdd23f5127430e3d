# Indexes written by every intake and every batch of numbers that nothing reads (issue 13): the
# numbers unique as constraints (no LIKE twins), no index on who issued or cancelled a number or
# recorded an event, on a student's household county, archive school or current registration,
# nor on a registration's school alone ((school, status) leads with it).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0035_cases_newest_first'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auxiliarynumber',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='注销人'),
        ),
        migrations.AlterField(
            model_name='auxiliarynumber',
            name='issued_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='编排人'),
        ),
        migrations.AlterField(
            model_name='auxiliarynumber',
            name='number',
            field=models.CharField(max_length=32, verbose_name='学籍辅号'),
        ),
        migrations.AlterField(
            model_name='registration',
            name='school',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='cases.school', verbose_name='学校'),
        ),
        migrations.AlterField(
            model_name='registrationevent',
            name='recorded_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
        migrations.AlterField(
            model_name='student',
            name='current_registration',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.registration', verbose_name='当前学籍'),
        ),
        migrations.AlterField(
            model_name='student',
            name='household_county',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='household_students', to='cases.jurisdiction', verbose_name='户籍所在县'),
        ),
        migrations.AlterField(
            model_name='student',
            name='id_number',
            field=models.CharField(blank=True, max_length=18, null=True, verbose_name='公民身份号码'),
        ),
        migrations.AlterField(
            model_name='student',
            name='paper_archive_school',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.school', verbose_name='纸质档案保管学校'),
        ),
        migrations.AlterField(
            model_name='student',
            name='registry_number',
            field=models.CharField(max_length=19, verbose_name='学籍号'),
        ),
        migrations.AddConstraint(
            model_name='auxiliarynumber',
            constraint=models.UniqueConstraint(fields=('number',), name='auxiliary_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='student',
            constraint=models.UniqueConstraint(fields=('registry_number',), name='student_registry_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='student',
            constraint=models.UniqueConstraint(fields=('id_number',), name='student_id_number_unique'),
        ),
    ]
