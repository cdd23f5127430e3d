# A unit's former students are read off the copies of their school's code (registration_former_keys,
# cases.access.former_registrations): the partial index by school had no reader left.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0033_cases_naming_their_subject'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='registration',
            name='registration_left_scope',
        ),
    ]
