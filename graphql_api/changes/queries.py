"""``changes(since:)``: what changed in the caller's scope (cases decided, registrations opened,
moved or closed, students registered), read from the scoped audit log so that a front-end
app keeps in sync without polling every list. Keyset-paged on (timestamp, id), at most 100
entries a page, one query for the page and one per kind of object it names."""

import base64
import datetime

import graphene
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from cases import access
from cases import models as m
from cases.audit import ACTIONS
from graphql_api.cases.types import CaseNode
from graphql_api.core.errors import ApiError
from graphql_api.core.guard import warm
from graphql_api.registry.types import RegistrationNode, StudentNode

FEED_ACTIONS = ("xueji.case.approve", "xueji.registration.status", "xueji.registration.class",
                "xueji.student.register")
PAGE = 100
NODES = {m.Case: CaseNode, m.Registration: RegistrationNode, m.Student: StudentNode}


class ChangeKind(graphene.Enum):
    CASE_DECIDED = "xueji.case.approve"
    REGISTRATION_CHANGED = "xueji.registration.status"
    CLASS_CHANGED = "xueji.registration.class"
    STUDENT_REGISTERED = "xueji.student.register"

    @property
    def description(self):
        return ACTIONS[self.value][1] if self else "变动类别"


class Change(graphene.ObjectType):
    cursor = graphene.String(required=True, description="从此条之后继续读取时传给 after")
    at = graphene.DateTime(required=True)
    kind = graphene.Field(ChangeKind, required=True)
    label = graphene.String(required=True)
    case = graphene.Field(CaseNode)
    registration = graphene.Field(RegistrationNode)
    student = graphene.Field(StudentNode)


class ChangePage(graphene.ObjectType):
    changes = graphene.List(graphene.NonNull(Change), required=True)
    end_cursor = graphene.String(description="本页最后一条的游标;无变动时为空")
    has_more = graphene.Boolean(required=True)


def encode_cursor(entry):
    return base64.urlsafe_b64encode(f"{entry.timestamp.isoformat()}|{entry.pk}".encode()).decode()


def decode_cursor(cursor):
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ApiError("无效的分页游标", "invalid_cursor") from None


def _objects(info, entries):
    """{(model, pk): object} for the entries' objects the caller may still see (one scoped query per kind)."""
    wanted = {}
    types = ContentType.objects.get_for_models(*NODES)
    by_type = {ct.pk: model for model, ct in types.items()}
    for entry in entries:
        model = by_type.get(entry.content_type_id)
        if model is not None and entry.object_id.isdigit():
            wanted.setdefault(model, set()).add(int(entry.object_id))
    found = {}
    for model, pks in wanted.items():
        node = NODES[model]
        objects = list(node.get_queryset(model.objects.filter(pk__in=pks), info))
        # Checked and batch-loaded as a connection's page is (scope guard, masking), not row by row.
        warm(info, node, objects, scoped=True)
        hook = getattr(node, "after_check", None)
        if hook:
            hook(objects, info)
        for obj in objects:
            found[(model, obj.pk)] = obj
    return by_type, found


class ChangeQueries(graphene.ObjectType):
    changes = graphene.Field(
        ChangePage, required=True, since=graphene.DateTime(required=True, description="从此时刻之后"),
        after=graphene.String(description="上一页的 endCursor"), first=graphene.Int(description="每页条数(最多100)"),
        description="本单位范围内的变动(案卷办结、学籍状态和班级变动、新生注册),按时间先后;用于前端同步",
    )

    def resolve_changes(root, info, since, after=None, first=PAGE):
        if first is None or not 1 <= first <= PAGE:
            raise ApiError(f"每页1至{PAGE}条", "page_too_large")
        user = info.context.user
        if not user.is_authenticated:
            return ChangePage(changes=[], end_cursor=None, has_more=False)
        entries = access.audit_entries_visible(user, m.RegistryLogEntry.objects.filter(action__in=FEED_ACTIONS))
        entries = entries.filter(timestamp__gt=since)
        if after:
            stamp, pk = decode_cursor(after)
            entries = entries.filter(Q(timestamp__gt=stamp) | Q(timestamp=stamp, pk__gt=pk))
        rows = list(entries.order_by("timestamp", "id")[:first + 1])
        page, has_more = rows[:first], len(rows) > first
        by_type, found = _objects(info, page)
        changes = []
        for entry in page:
            model = by_type.get(entry.content_type_id)
            obj = found.get((model, int(entry.object_id))) if entry.object_id.isdigit() else None
            changes.append(Change(
                cursor=encode_cursor(entry), at=entry.timestamp, kind=entry.action, label=ACTIONS[entry.action][1],
                case=obj if model is m.Case else None, registration=obj if model is m.Registration else None,
                student=obj if model is m.Student else None))
        return ChangePage(changes=changes, end_cursor=changes[-1].cursor if changes else after, has_more=has_more)
