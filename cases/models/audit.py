"""Audit entries of the registry, in Wagtail's log (history views, site history report).

Wagtail's stock ModelLogEntry lets a user see every entry of a model they have any permission
on, whichever school it belongs to. Ours records where the object lives (the supervising code
and the school) so that the log obeys the same scope as everything else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models.audit_log import BaseLogEntry, LogEntryQuerySet, ModelLogEntryManager

from cases import chain
from cases.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class ChainedQuerySet(AppendOnlyQuerySet):
    """Inserts only, each linked into the table's hash chain (cases/chain.py)."""

    def bulk_create(self, objs, *args, **kwargs):
        from cases.bulk import bulk_insert

        objs = list(objs)
        if args or set(kwargs) - {"batch_size"}:
            return chain.insert(self.model, objs, lambda rows: super(ChainedQuerySet, self).bulk_create(
                rows, *args, **kwargs))
        return chain.insert(self.model, objs, lambda rows: bulk_insert(self.model, rows))


class ChainedModel(AppendOnlyModel):
    """An append-only row that takes its place in the hash chain when first saved."""

    prev_hash = models.CharField(_("前一条摘要"), max_length=64, editable=False, default="")
    entry_hash = models.CharField(_("本条摘要"), max_length=64, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)  # refused by AppendOnlyModel
        return chain.insert(type(self), [self], lambda rows: super(ChainedModel, self).save(*args, **kwargs))


class RegistryLogEntryQuerySet(ChainedQuerySet, LogEntryQuerySet):
    pass


class RegistryLogEntryManager(ModelLogEntryManager.from_queryset(RegistryLogEntryQuerySet)):
    def get_queryset(self):  # Wagtail's manager names its queryset class outright
        return RegistryLogEntryQuerySet(self.model, using=self._db)

    def log_action(self, instance, action, **kwargs):
        from cases.audit import audit_scope

        kwargs["scope_code"], kwargs["school_id"] = audit_scope(instance)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        # Not Wagtail's version: it caches allowed content types on the user under one name for
        # all log models, so whichever log model asks first would decide for ours.
        from cases.access import audit_entries_visible

        return audit_entries_visible(user, self.all())


class RegistryLogEntry(ChainedModel, BaseLogEntry):
    # Every change writes entries (a batch of 10,000 writes 10,000): no index without a reader.
    # Wagtail's fields are redeclared without their own indexes: ``content_changed`` (a flag of
    # page history, read by nothing here) and the pattern-ops twins PostgreSQL adds to indexed
    # text columns (nothing matches ``action`` or ``object_id`` by LIKE); the scope is read by
    # code range (cases.access.audit_scope_filter) through the indexes in ``Meta``. Nothing looks
    # entries up by content type alone (an object's history asks its ``object_id`` first) or by
    # revision (Wagtail asks that of page log entries only), so these keys are not indexed either.
    content_type = models.ForeignKey("contenttypes.ContentType", models.SET_NULL, verbose_name=_("content type"),
                                     blank=True, null=True, related_name="+", db_index=False)
    revision = models.ForeignKey("wagtailcore.Revision", models.DO_NOTHING, null=True, blank=True,
                                 db_constraint=False, related_name="+", db_index=False)
    action = models.CharField(max_length=255, blank=True)
    content_changed = models.BooleanField(default=False)
    object_id = models.CharField(max_length=255)
    scope_code = models.CharField(_("主管单位代码"), max_length=12, blank=True)
    school_id = models.BigIntegerField(_("学校"), null=True, blank=True)

    objects = RegistryLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        # The changes(since:) feed reads a scope's entries in time order. Wagtail's history views
        # ask for the latest entry of one user action (uuid, action): only entries written in a
        # request carry a uuid, so a batch's ten thousand (cases.audit.audit_many) skip that index.
        indexes = [models.Index(fields=["uuid", "action", "-timestamp"], condition=models.Q(uuid__isnull=False),
                                name="registry_log_user_action"),
                   models.Index(fields=["scope_code", "timestamp"], name="registry_log_scope_time"),
                   models.Index(fields=["school_id", "timestamp"], name="registry_log_school_time"),
                   models.Index(fields=["object_id"], name="registry_log_object"),
                   models.Index(fields=["action"], name="registry_log_action")]
        verbose_name = _("学籍操作日志")
        verbose_name_plural = _("学籍操作日志")
