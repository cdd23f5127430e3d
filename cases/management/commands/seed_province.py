"""``manage.py seed_province``: a province-sized registry for benchmarks (cases/province.py)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from cases import province
from cases.models import School, StaffProfile, Student


class Command(BaseCommand):
    help = ("在空库上生成省级规模的数据(基准测试用):甘肃各县的各类学校、班级、学生、学籍及其历史、学籍辅号、"
            "各级工作人员和在办的变动案卷。PostgreSQL 上用 COPY 批量装载并推迟建索引。同一种子生成相同的数据。")

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, required=True, help="学生总数")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子(默认 %(default)s)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="生成数据所依据的日期(YYYY-MM-DD,默认今天)")
        parser.add_argument("--password", default="xueji-province-2026", help="所有账号的密码")
        parser.add_argument("--cases", type=int, default=200, help="在办案卷数(默认 %(default)s)")

    def handle(self, *args, students, seed, today, password, cases, **options):
        if students < 100:
            raise CommandError("学生总数至少为 100")
        if School.objects.exists() or Student.objects.exists():
            raise CommandError("数据库中已有学校或学生:请在空库上运行 seed_province")
        started = time.monotonic()

        def log(text):
            self.stdout.write(text)
            self.stdout.flush()

        counts, schools = province.build(students=students, seed=seed, today=today, log=log)
        log("  ".join(f"{table}:{rows:,}" for table, rows in counts.items()))
        staff_started = time.monotonic()
        users = province.seed_staff(schools, seed=seed, password=password)
        log(f"工作人员 {StaffProfile.objects.count():,} 人({time.monotonic() - staff_started:.0f} 秒)")
        cases_started = time.monotonic()
        # Workflow notifications of the seeded cases are not for anyone's inbox.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created, errors = province.seed_cases(users, seed=seed, count=cases)
        log(f"在办案卷 {created} 件({time.monotonic() - cases_started:.0f} 秒)")
        if errors:
            log(f"未能建立的案卷 {len(errors)} 件,例如:{errors[0]!r}")
        from cases.services.statistics import statistics_refresh

        taken = statistics_refresh()
        log(f"统计汇总 {taken.cells:,} 行({taken.seconds:.0f} 秒)")
        log(f"完成,共 {time.monotonic() - started:.0f} 秒")
