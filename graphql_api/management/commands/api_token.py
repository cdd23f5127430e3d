"""manage.py api_token create USERNAME --name NAME --days N | revoke PREFIX | list [USERNAME]"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.errors import rule_errors
from graphql_api.models import ApiToken
from graphql_api.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "创建、吊销或列出接口访问令牌(以系统身份操作并记入日志)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        create.add_argument("--days", type=int, default=90)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(";".join(e["message"] for e in rule_errors(error))) from error

    def _create(self, username, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        token, secret = api_token_create(acting_user=None, user=user, name=name, days=days)
        self.stdout.write(f"令牌 {token.prefix} 已创建,有效期至 {token.expires_at:%Y-%m-%d}。密钥只显示这一次:")
        self.stdout.write(secret)

    def _revoke(self, prefix, **options):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"没有前缀为 {prefix} 的令牌")
        api_token_revoke(acting_user=None, token=token)
        self.stdout.write(f"令牌 {prefix} 已吊销")

    def _list(self, username=None, **options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = "已吊销" if token.revoked_at else ("已过期" if not token.is_usable() else "有效")
            self.stdout.write(f"{token.prefix}\t{token.user.username}\t{token.name}\t{token.expires_at:%Y-%m-%d}\t{state}")
