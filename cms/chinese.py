"""What Django and Wagtail leave in English and no translation catalogue can reach.

- Permission names are rows (``auth.Permission.name``), written in English by Django's
  ``create_permissions`` ("Can add group", "Can lock 学籍变动案卷"): after every ``migrate`` they
  are named in Chinese from their codename and model (``name_permissions``). The group editor
  and the user editor show these names.
- A few Wagtail form fields and list columns have no label, so the field's name shows ("Page",
  "Content types", "Role", "Port"): they get one (``label_fields``).

Everything else is translated in ``locale/`` (``locale/build_po.py``) or overridden in
``templates/wagtailadmin/``.
"""

from django.utils import translation

VERBS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看", "publish": "发布", "lock": "锁定",
         "unlock": "解锁", "choose": "选用"}
# Wagtail's own permissions with a meaning of their own.
NAMED = {
    ("wagtailadmin", "access_admin"): "可进入管理后台",
    ("wagtailcore", "bulk_delete_page"): "可删除含下级页面的页面",
    ("wagtailcore", "lock_page"): "可锁定和解锁自己锁定的页面",
    ("wagtailcore", "publish_page"): "可发布任何页面",
    ("wagtailcore", "unlock_page"): "可解锁任何页面",
}


def chinese_permission_name(permission):
    """The Chinese name of a permission, or None when it cannot be told (left as it is)."""
    content_type = permission.content_type
    named = NAMED.get((content_type.app_label, permission.codename))
    if named:
        return named
    verb, _, model_name = permission.codename.partition("_")
    model = content_type.model_class()
    if verb not in VERBS or model is None or model_name != content_type.model:
        return None
    with translation.override("zh-hans"):
        return f"可{VERBS[verb]}{model._meta.verbose_name}"[:255]


def name_permissions(**kwargs):
    """post_migrate: every permission named in Chinese. Run for each migrated app, after or before
    Django creates that app's permissions (auth is installed last), so it renames whatever is
    still English each time; only the rows that change are written. The emitting app's own
    permissions are created first (Django's receiver, connected later, would otherwise create the
    last app's after this ran, and a second ``migrate`` would rename them)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    if kwargs.get("app_config") is not None and kwargs.get("apps") is not None:
        create_permissions(kwargs["app_config"], verbosity=0, using=kwargs.get("using", "default"),
                           apps=kwargs["apps"])

    changed = []
    for permission in Permission.objects.select_related("content_type"):
        name = chinese_permission_name(permission)
        if name and permission.name != name:
            permission.name = name
            changed.append(permission)
    if changed:
        Permission.objects.bulk_update(changed, ["name"])


def label_fields():
    """Labels for Wagtail form fields and list columns that have none (their English field
    names show: "Page", "Content types", "Port", "Site name", "Root page")."""
    from wagtail.admin.forms.workflows import WorkflowContentTypeForm, WorkflowPageForm
    from wagtail.models import Site
    from wagtail.sites.views import IndexView as SiteIndexView
    from wagtail.users.views.bulk_actions.assign_role import RoleForm

    WorkflowPageForm.base_fields["page"].label = "页面"
    WorkflowContentTypeForm.base_fields["content_types"].label = "内容类型"
    RoleForm.base_fields["role"].label = "用户组"
    for column in SiteIndexView.columns:
        if column.name in ("port", "site_name", "root_page"):
            column.label = Site._meta.get_field(column.name).verbose_name  # translated when shown
