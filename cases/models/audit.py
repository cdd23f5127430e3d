"""Audit entries of the registry, in Wagtail's log (history views, site history report).

Wagtail's stock ModelLogEntry lets a user see every entry of a model they have any permission
on, whichever school it belongs to. Ours records where the object lives (the supervising code
and the school) so that the log obeys the same scope as everything else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models.audit_log import BaseLogEntry, ModelLogEntryManager


class RegistryLogEntryManager(ModelLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        from cases.audit import audit_scope

        kwargs["scope_code"], kwargs["school_id"] = audit_scope(instance)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        # Not Wagtail's version: it caches allowed content types on the user under one name for
        # all log models, so whichever log model asks first would decide for ours.
        from cases.access import audit_entries_visible

        return audit_entries_visible(user, self.all())


class RegistryLogEntry(BaseLogEntry):
    object_id = models.CharField(max_length=255, db_index=True)
    scope_code = models.CharField(_("主管单位代码"), max_length=12, db_index=True, blank=True)
    school_id = models.BigIntegerField(_("学校"), null=True, blank=True, db_index=True)

    objects = RegistryLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        # The changes(since:) feed reads a scope's entries in time order.
        indexes = [models.Index(fields=["scope_code", "timestamp"], name="registry_log_scope_time"),
                   models.Index(fields=["school_id", "timestamp"], name="registry_log_school_time")]
        verbose_name = _("学籍操作日志")
        verbose_name_plural = _("学籍操作日志")
