"""Personal API tokens: how another application calls the GraphQL API as one staff user.

Wagtail 8 ships its own ``wagtailcore.APIToken`` (for its v3 REST API, only with
``wagtail.api.v3`` installed); it has no expiry date, which tokens of the registry need, so
the GraphQL API keeps its own small model.

Only a SHA-256 hash of the secret is stored; the secret is shown once, when the token is
created (``graphql_api.services.api_token_create``). ``prefix`` is a random public part of the
secret used to find the row without scanning hashes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="graphql_api_tokens")
    name = models.CharField(_("名称"), max_length=100, help_text=_("用途说明,如“某某区教育局数据中心”"))
    prefix = models.CharField(_("前缀"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口访问令牌")
        verbose_name_plural = _("接口访问令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name}({self.prefix})"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active
