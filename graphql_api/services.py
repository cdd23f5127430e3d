"""Personal API tokens: create, revoke, authenticate (the only writers of ``ApiToken``).

A secret looks like ``xj_<prefix>_<random>``: the prefix finds the row, the SHA-256 hash of the
whole secret proves it. The secret is returned once by ``api_token_create`` and never stored.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from wagtail.log_actions import log

from cases.errors import RuleError
from cases.prepared import PreparedReads

from .models import ApiToken

SCHEME = "xj"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_INTERVAL = datetime.timedelta(minutes=5)


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_manage(acting_user, user):
    """Staff manage their own tokens; a superuser anyone's; ``None`` is the system (manage.py)."""
    if acting_user is None:
        return True
    return bool(acting_user.is_authenticated and acting_user.is_active
                and (acting_user.pk == user.pk or acting_user.is_superuser))


@transaction.atomic
def api_token_create(*, acting_user, user, name, days):
    """A new token of ``user`` valid for ``days`` days: returns ``(token, secret)``. Staff make
    tokens for themselves; a superuser (or the system, ``acting_user=None``) for anyone."""
    if not _may_manage(acting_user, user):
        raise PermissionDenied
    name = (name or "").strip()
    errors = []
    if not name or len(name) > 100:
        errors.append(RuleError("api_token_name", "请填写令牌名称(不超过100字)", field="name"))
    max_days = settings.XUEJI_API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or not 1 <= days <= max_days:
        errors.append(RuleError("api_token_days", f"有效期应为1至{max_days}天", field="days"))
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 1 in 4 billion, but cheap to rule out
        prefix = secrets.token_hex(4)
    secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(secret),
                                    created_by=acting_user,
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    log(token, "xueji.api_token.create", user=acting_user, data={"user": user.get_username(), "days": days})
    return token, secret


@transaction.atomic
def api_token_revoke(*, acting_user, token):
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not _may_manage(acting_user, token.user):
        raise PermissionDenied
    if token.revoked_at is not None:
        raise RuleError("api_token_revoked", "令牌已吊销")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log(token, "xueji.api_token.revoke", user=acting_user, data={"user": token.user.get_username()})
    return token


def api_token_authenticate(secret):
    """The active user a presented secret belongs to, or None (unknown, malformed, expired,
    revoked, inactive user: all answer the same)."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1]:
        return None
    # One query for the token, its user and the user's unit (what cases.access.profile_of and
    # scope_of need for the whole request) and, on PostgreSQL, the user's permissions as an
    # array beside them (elsewhere a second query): the fixed cost of a call.
    found = _TOKENS.rows(connection.alias, _tokens_by_prefix, parts[1])
    token = found[0] if found else None
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user._xueji_profile = getattr(user, "staff_profile", None)
    _load_permissions(user, getattr(token, "permissions", None))
    return user


def _tokens_by_prefix(prefix):
    tokens = ApiToken.objects.select_related("user__staff_profile__school__county", "user__staff_profile__jurisdiction")
    if connection.vendor == "postgresql":
        tokens = tokens.annotate(permissions=ArraySubquery(_permissions(OuterRef("user_id"))))
    return tokens.filter(prefix=prefix)[:1]


# The token query has one shape per database: compiled once (a fixed cost of every call).
_TOKENS = PreparedReads(size=8)
_PERMISSIONS = PreparedReads(size=8)


def _permissions(user):
    """The user's own and their groups' permissions as "app_label.codename" (ModelBackend's form)."""
    # Two sets of ids, not Django's ORed joins (which join every group's permissions to every
    # member before filtering: milliseconds on every call). ``user`` may be the token query's
    # OuterRef: one level deeper here.
    user = OuterRef(user) if isinstance(user, OuterRef) else user
    own = Permission.user_set.through.objects.filter(user=user).values("permission_id")
    through_groups = Permission.group_set.through.objects.filter(group__user=user).values("permission_id")
    return (Permission.objects.filter(Q(pk__in=own) | Q(pk__in=through_groups))
            .values_list(Concat("content_type__app_label", Value("."), "codename", output_field=CharField()),
                         flat=True))


def _load_permissions(user, loaded=None):
    """Fill ModelBackend's permission cache (``loaded``: read with the token; else one query
    instead of ModelBackend's two), for a request that will ask has_perm many times."""
    if not user.is_active or user.is_superuser:
        return
    if loaded is None:
        loaded = _PERMISSIONS.rows(connection.alias, _permissions, user.pk)
    user._perm_cache = set(loaded)  # ModelBackend's own cache
