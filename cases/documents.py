"""Private documents (evidence of a case, documents of an archive entry) are Wagtail documents,
but Wagtail's stock doors never reach them: they are served only through their case or
archive entry (``graphql_document``, which asks cases/access.py), and they are only ever added.

- ``PrivateDocumentPolicy`` replaces Wagtail's document permission policy: the stock listing,
  chooser, edit (which replaces the file) and delete views, and the upload targets, leave out
  every private document and the evidence collections, for everyone, superusers included.
- ``before_serve_document`` (cases/admin/hooks.py) answers 404 on the stock serve URL; the
  document admin's views of one document (edit, delete, usage, the multiple-upload editor) and
  its bulk actions answer a private document exactly as a missing one (``private_as_missing``,
  ``hide_private_documents_from_bulk_actions``), never with a refusal that tells it exists.
- A private document's file is never replaced, and no private document is deleted
  (``refuse_replacing``, ``refuse_deleting``), whatever door the attempt comes through.
- Wagtail's default groups (Editors, Moderators) hold document rights only on the public
  collection (migration 0017), and a grant of document rights on the root or on the evidence
  collections is undone as soon as it is saved (``undo_grants_over_evidence``).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.models import Collection
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from cases import models as m

logger = logging.getLogger(__name__)
EVIDENCE_COLLECTION = "证明材料"
PUBLIC_COLLECTION = "公开文件"


def private_documents_q():
    """Q over Document: documents attached to a case or an archive entry."""
    return (Q(pk__in=m.Evidence.objects.values("document_id"))
            | Q(pk__in=m.ArchiveEntry.objects.filter(document__isnull=False).values("document_id")))


def is_private(document):
    return document.pk is not None and (m.Evidence.objects.filter(document_id=document.pk).exists()
                                        or m.ArchiveEntry.objects.filter(document_id=document.pk).exists())


def evidence_collections():
    """The evidence collection and everything below it."""
    parent = Collection.objects.filter(name=EVIDENCE_COLLECTION, depth=2).first()
    return Collection.objects.descendant_of(parent, inclusive=True) if parent else Collection.objects.none()


class PrivateDocumentPolicy(CollectionOwnershipPermissionPolicy):
    def instances_user_has_any_permission_for(self, user, actions):
        return super().instances_user_has_any_permission_for(user, actions).exclude(private_documents_q())

    def instances_user_has_permission_for(self, user, action):
        return super().instances_user_has_permission_for(user, action).exclude(private_documents_q())

    def user_has_permission_for_instance(self, user, action, instance):
        return not is_private(instance) and super().user_has_permission_for_instance(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return not is_private(instance) and super().user_has_any_permission_for_instance(user, actions, instance)

    def collections_user_has_any_permission_for(self, user, actions):
        return super().collections_user_has_any_permission_for(user, actions).exclude(
            pk__in=evidence_collections().values("pk"))

    def collections_user_has_permission_for(self, user, action):
        return super().collections_user_has_permission_for(user, action).exclude(
            pk__in=evidence_collections().values("pk"))


def refuse_replacing(sender, instance, **kwargs):
    """pre_save of a Document: a private document's file never changes (the original is kept)."""
    if instance.pk is None or not is_private(instance):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
    if stored is not None and stored != instance.file.name:
        raise PermissionDenied("证明材料和档案文件只能新增,不能替换")


def refuse_deleting(sender, instance, **kwargs):
    if is_private(instance):
        raise PermissionDenied("证明材料和档案文件不能删除")


def undo_grants_over_evidence(sender, instance, **kwargs):
    """post_save of a GroupCollectionPermission: document rights on the root collection (which
    reach every collection below it) or on the evidence collections are undone. Rights over
    documents belong on the public collection; evidence is reached only through its case."""
    from wagtail.documents import get_document_model

    if kwargs.get("raw"):
        # A raw load (loaddata, a test's serialised rollback) restores rows as they were stored,
        # already guarded when they were written; their permissions may not be loaded yet.
        return
    permission = instance.permission
    if permission.content_type.model_class() is not get_document_model():
        return
    if instance.collection.is_root() or evidence_collections().filter(pk=instance.collection_id).exists():
        logger.warning("Removed %s of group %s on collection %s: evidence is reached only through its case",
                       permission.codename, instance.group, instance.collection)
        sender.objects.filter(pk=instance.pk).delete()


def private_as_missing(view, kwarg):
    """A stock document view (edit, delete, usage, the multiple-upload editor…) that answers a
    private document exactly as it answers a missing one: the view runs with an id that never
    exists (0), so status and body are the missing document's, whatever the view does with it.
    (The stock views refuse a private document with a permission redirect, which tells that it
    exists.)"""
    from wagtail.documents import get_document_model

    def wrapped(request, *args, **kwargs):
        pk = kwargs.get(kwarg)
        try:
            private = pk is not None and get_document_model().objects.filter(Q(pk=pk) & private_documents_q()).exists()
        except (ValueError, TypeError):
            private = False
        if private:
            kwargs[kwarg] = 0
        return view(request, *args, **kwargs)

    return wrapped


def private_as_missing_urls(prefix="admin/documents/"):
    """Every route of Wagtail's document admin that takes a document id, wrapped by
    ``private_as_missing`` (generated from Wagtail's URL list: a route added by an upgrade is
    covered too); mounted before the admin's own URLs (cms/urls.py)."""
    from django.urls import path
    from wagtail.admin.auth import require_admin_access
    from wagtail.documents import admin_urls

    routes = []
    for pattern in admin_urls.urlpatterns:
        kwargs = list(pattern.pattern.regex.groupindex)
        if len(kwargs) == 1 and kwargs[0] in ("document_id", "doc_id"):
            routes.append(path(prefix + str(pattern.pattern),
                               require_admin_access(private_as_missing(pattern.callback, kwargs[0]))))
    return routes


def hide_private_documents_from_bulk_actions():
    """Wagtail's document bulk actions (delete, move to a collection, tag) list the chosen ids
    they may not act on *with their titles*; a private document is left out of their queryset
    instead, so it answers as a missing id does (CasesConfig.ready)."""
    from django.shortcuts import get_list_or_404
    from wagtail.documents.views.bulk_actions.document_bulk_action import DocumentBulkAction

    def get_queryset(cls, model, object_ids):
        return get_list_or_404(model._default_manager.exclude(private_documents_q()), pk__in=object_ids)

    DocumentBulkAction.get_queryset = classmethod(get_queryset)


def private_chosen_view():
    """Wagtail's document chooser 'chosen' view, answering a private document exactly like a
    missing one (the stock view refuses it with a redirect, which tells that it exists)."""
    from django.http import Http404
    from wagtail.documents import get_document_model
    from wagtail.documents.views.chooser import DocumentChosenView

    class PrivateAsMissingChosenView(DocumentChosenView):
        def get_object(self, pk):
            try:
                private = get_document_model().objects.filter(Q(pk=pk) & private_documents_q()).exists()
            except (ValueError, TypeError):
                private = False
            if private:
                raise Http404
            return super().get_object(pk)

    return PrivateAsMissingChosenView.as_view()
