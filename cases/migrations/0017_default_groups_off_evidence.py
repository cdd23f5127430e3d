"""Wagtail's default groups (Editors, Moderators) got document rights on the root collection,
which reach every collection below it, the evidence collections included. Move those rights
to a public collection (公开文件); cases/documents.py keeps them from coming back."""

from django.db import migrations

GROUPS = ("Editors", "Moderators")
PUBLIC = "公开文件"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _int2str(n, width=4):
    digits = ""
    while True:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
        if n == 0:
            break
    return digits.rjust(width, "0")


def _public_collection(Collection):
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return None, None
    children = Collection.objects.filter(depth=2, path__startswith=root.path)
    found = children.filter(name=PUBLIC).first()
    if found:
        return root, found
    last = children.order_by("-path").first()
    step = int(last.path[-4:], 36) + 1 if last else 1
    public = Collection.objects.create(name=PUBLIC, depth=2, path=root.path + _int2str(step), numchild=0)
    Collection.objects.filter(pk=root.pk).update(numchild=children.count())
    return root, public


def forwards(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root, public = _public_collection(Collection)
    if root is None:
        return
    grants = GroupCollectionPermission.objects.filter(
        group__name__in=GROUPS, collection=root, permission__content_type__app_label="wagtaildocs")
    for grant in grants:
        GroupCollectionPermission.objects.get_or_create(group=grant.group, collection=public,
                                                        permission=grant.permission)
    grants.delete()


def backwards(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    public = Collection.objects.filter(depth=2, name=PUBLIC).first()
    if root is None or public is None:
        return
    for grant in GroupCollectionPermission.objects.filter(group__name__in=GROUPS, collection=public):
        GroupCollectionPermission.objects.get_or_create(group=grant.group, collection=root,
                                                        permission=grant.permission)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_merge_20261202_1517"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
