"""Append-only records, refused in the application (this module) and below it (PostgreSQL
triggers, migration 0007): archive entries, the registry log, the read log, and decided cases.

A correction is a new entry (an archive entry that ``corrects`` another, a new case), never an
UPDATE or a DELETE, whoever asks — a superuser included. The triggers hold against raw SQL and
any code path that forgets these guards; the hash chain (cases/chain.py) shows what a database
owner who disables the triggers changed anyway.
"""

from django.db import models

from cases.errors import RuleError


class AppendOnlyError(RuleError):
    def __init__(self, what="该记录"):
        super().__init__("append_only", f"{what}只能追加,不能修改或删除;如需更正,请追加一条更正记录",
                         article="第十二条")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes that would rewrite history are refused; inserts are not."""

    def update(self, **kwargs):
        raise AppendOnlyError(self.model._meta.verbose_name)

    def delete(self):
        raise AppendOnlyError(self.model._meta.verbose_name)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(self.model._meta.verbose_name)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(self.model._meta.verbose_name)

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A row is written once: ``save()`` of a stored row and ``delete()`` are refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self._meta.verbose_name)
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self._meta.verbose_name)
