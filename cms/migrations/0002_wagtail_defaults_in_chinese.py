"""Names Wagtail's own migrations give in English and the admin shows: the tree root ("Root"),
the default groups and the default page workflow and its task."""

from django.db import migrations

PAGES = [("Root", "网站根目录")]
GROUPS = [("Moderators", "网站内容审核员"), ("Editors", "网站内容编辑")]
WORKFLOWS = [("Moderators approval", "网站内容审核")]


def rename(apps, schema_editor, reverse=False):
    def pairs(items):
        return [(new, old) for old, new in items] if reverse else items

    Page = apps.get_model("wagtailcore", "Page")
    for old, new in pairs(PAGES):
        Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
    Group = apps.get_model("auth", "Group")
    for old, new in pairs(GROUPS):
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    for model in ("Workflow", "Task"):
        Model = apps.get_model("wagtailcore", model)
        for old, new in pairs(WORKFLOWS):
            Model.objects.filter(name=old).update(name=new)


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(rename, lambda apps, editor: rename(apps, editor, reverse=True)),
    ]
