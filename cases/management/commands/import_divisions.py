from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.errors import rule_errors
from cases.services.divisions import divisions_import, read_divisions_csv


class Command(BaseCommand):
    help = "导入行政区划 CSV(code,name,…;格式同 shared/data/divisions/),例如全省乡镇。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CSV 文件,按上级在前的顺序")

    def handle(self, *args, files, **options):
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"文件不存在:{name}")
            try:
                result = divisions_import(acting_user=None, rows=read_divisions_csv(path.read_text(encoding="utf-8")))
            except ValidationError as error:
                raise CommandError("; ".join(e["message"] for e in rule_errors(error))) from error
            self.stdout.write(f"{name}:新增 {result['created']},更新 {result['updated']}")
