"""Staff accounts are deactivated, never deleted: the person stays on everything they created,
uploaded, approved or printed (the who-did-it keys are PROTECT, and Wagtail's own revisions,
documents and logs would lose the name otherwise). Every door to a deletion is shut here: the
model (shell, bulk delete, any code), Wagtail's user delete view and its bulk delete."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.shortcuts import redirect

REFUSAL = "用户账号不能删除,以免历史记录失去经办人;如需停止使用,请停用该账号"


def refuse_user_deletion(sender, instance, **kwargs):
    """pre_delete of the user model: a guard, not a rule (deletion is never a registry action)."""
    raise ProtectedError(REFUSAL, {instance})


def user_delete_refused(request, *args, **kwargs):
    """Stands in for Wagtail's /admin/users/<pk>/delete/ (routed before the admin's URLs)."""
    messages.error(request, REFUSAL)
    return redirect("wagtailusers_users:index")


def connect():
    from django.db.models.signals import pre_delete

    pre_delete.connect(refuse_user_deletion, sender=get_user_model(), dispatch_uid="xueji-refuse-user-deletion")
