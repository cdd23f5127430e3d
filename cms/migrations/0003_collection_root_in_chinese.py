"""The root collection Wagtail's migration names "Root" (shown as the parent of every collection
and in the documents' and images' collection filter) in Chinese, as 0002 did for the page tree."""

from django.db import migrations

OLD, NEW = "Root", "根目录"


def rename(apps, schema_editor, reverse=False):
    Collection = apps.get_model("wagtailcore", "Collection")
    old, new = (NEW, OLD) if reverse else (OLD, NEW)
    Collection.objects.filter(depth=1, name=old).update(name=new)


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0002_wagtail_defaults_in_chinese"),
    ]

    operations = [
        migrations.RunPython(rename, lambda apps, editor: rename(apps, editor, reverse=True)),
    ]
