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


# --- the history of a decided case --------------------------------------------------------------
# A decided case's row refuses writes itself (Case.save/delete). Its history lives in Wagtail's
# tables (revisions, the workflow state, the task states, our RegistryTaskState rows) and in its
# evidence: the same refusal, the same rule as the PostgreSQL trigger of migration 0007 (a row
# belongs to a decided case when that case's stored state is decided), so SQLite refuses too.
# Three paths reach a stored row through the ORM, and each is guarded: ``save()`` of a stored row
# (pre_save), ``delete()`` of a row (checked before Django's collector starts; pre_delete stays as
# the backstop of cascades), and a queryset's ``update()`` / ``delete()`` (the querysets of these
# models, Wagtail's included, check their rows first: one EXISTS). Inserts are never refused: a new
# revision or a new evidence row is history appended.

def _decided_case_ids():
    """The ids (as text: Wagtail keys objects by a text ``object_id``) of the decided cases."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from cases.models.cases import DECIDED_STATES, Case

    return Case._base_manager.filter(state__in=DECIDED_STATES).annotate(
        text_id=Cast("pk", CharField())).values("text_id")


def decided_case_history(model):
    """Q over ``model``'s rows that are history of a decided case, or None when the model keeps
    none (a Revision or WorkflowState of a case, a TaskState of such a workflow, an Evidence)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision, TaskState, WorkflowState

    from cases.models.cases import DECIDED_STATES, Case, Evidence

    if issubclass(model, Evidence):
        return models.Q(case__state__in=DECIDED_STATES)
    case_type = ContentType.objects.get_for_model(Case).pk
    if issubclass(model, (Revision, WorkflowState)):
        return models.Q(base_content_type_id=case_type, object_id__in=_decided_case_ids())
    if issubclass(model, TaskState):
        return models.Q(workflow_state__base_content_type_id=case_type,
                        workflow_state__object_id__in=_decided_case_ids())
    return None


def _refuse_if_decided(model, queryset):
    condition = decided_case_history(model)
    if condition is not None and queryset.filter(condition).exists():
        raise AppendOnlyError(f"已办结案卷的{model._meta.verbose_name}")


def refuse_rewriting_decided_case(sender, instance, raw=False, **kwargs):
    """pre_save: a stored row of a decided case's history is never written again (the stored
    row decides, not the instance in memory, which may have been repointed)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    model = type(instance)
    _refuse_if_decided(model, model._base_manager.filter(pk=instance.pk))


def refuse_deleting_decided_case(sender, instance, **kwargs):
    """pre_delete (also sent for each row a queryset's or a cascade's delete collects)."""
    if instance.pk is not None:
        model = type(instance)
        _refuse_if_decided(model, model._base_manager.filter(pk=instance.pk))


class DecidedCaseHistoryQuerySet(models.QuerySet):
    """Bulk writes that would rewrite a decided case's history are refused (one EXISTS first)."""

    def update(self, **kwargs):
        _refuse_if_decided(self.model, self)
        return super().update(**kwargs)

    def delete(self):
        _refuse_if_decided(self.model, self)
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        # Checked before Django's bulk_update opens its transaction (a refusal inside it would
        # spoil the caller's).
        objs = list(objs)
        _refuse_if_decided(self.model, self.filter(pk__in=[obj.pk for obj in objs]))
        return super().bulk_update(objs, fields, batch_size=batch_size)

    delete.queryset_only = True


def _guard_queryset_class(queryset_class):
    """Give a (Wagtail) queryset class the checks of DecidedCaseHistoryQuerySet, once."""
    if queryset_class.__dict__.get("_xueji_decided_guard"):
        return
    update, delete, bulk_update = queryset_class.update, queryset_class.delete, queryset_class.bulk_update

    def guarded_update(self, **kwargs):
        _refuse_if_decided(self.model, self)
        return update(self, **kwargs)

    def guarded_delete(self):
        _refuse_if_decided(self.model, self)
        return delete(self)

    def guarded_bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        _refuse_if_decided(self.model, self.filter(pk__in=[obj.pk for obj in objs]))
        return bulk_update(self, objs, fields, batch_size=batch_size)

    guarded_delete.queryset_only = True
    queryset_class.update, queryset_class.delete = guarded_update, guarded_delete
    queryset_class.bulk_update = guarded_bulk_update
    queryset_class._xueji_decided_guard = True


def _guard_model_delete(model):
    """``model.delete()`` refuses before Django's collector opens its transaction (a refusal from
    the pre_delete signal, sent inside it, would spoil the caller's transaction)."""
    if model.__dict__.get("_xueji_decided_guard"):
        return
    delete = model.delete

    def guarded_delete(self, *args, **kwargs):
        refuse_deleting_decided_case(type(self), self)
        return delete(self, *args, **kwargs)

    model.delete = guarded_delete
    model._xueji_decided_guard = True


def guard_decided_case_history():
    """Connect the guards (CasesConfig.ready)."""
    from django.db.models.signals import pre_delete, pre_save
    from wagtail.models import Revision, TaskState, WorkflowState

    from cases.models import Evidence

    for model in (Revision, WorkflowState, TaskState):
        _guard_queryset_class(type(model.objects.get_queryset()))
    for model in (Revision, WorkflowState, TaskState, Evidence):
        _guard_model_delete(model)
    # A subclass (RegistryTaskState) sends its signals as itself: each is connected too.
    for model in (Revision, WorkflowState, TaskState, *TaskState.__subclasses__(), Evidence):
        pre_save.connect(refuse_rewriting_decided_case, sender=model, dispatch_uid=f"xueji-decided-save-{model.__name__}")
        pre_delete.connect(refuse_deleting_decided_case, sender=model,
                           dispatch_uid=f"xueji-decided-delete-{model.__name__}")
