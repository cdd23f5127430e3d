"""The provincial exam authority's group reads jurisdictions (public reference data; a school's
county is a non-null field of the API's School). New databases get it from
cases.services.staff.GROUP_PERMISSIONS when the groups are first made; this gives it to a group
made before."""

from django.db import migrations

EXAM_GROUP = "省级考试管理部门"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EXAM_GROUP).first()
    permission = Permission.objects.filter(content_type__app_label="cases", codename="view_jurisdiction").first()
    if group is not None and permission is not None:
        group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0021_read_door_document"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
