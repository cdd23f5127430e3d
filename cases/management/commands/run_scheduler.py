"""manage.py run_scheduler: wake every --interval seconds and create the due runs of the
scheduled jobs (cases/jobs.py); the runs execute on the Django Tasks backend (a database worker
locally, RQ in production). Safe to run twice: a (job, period) is created once."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.services.jobs import scheduler_tick


class Command(BaseCommand):
    help = "创建到期的定时任务(年度升级预演、休学期满提醒、随迁子女辍学档案移交)"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次后退出")
        parser.add_argument("--interval", type=int, default=300, help="检查间隔(秒)")

    def handle(self, *args, once=False, interval=300, **options):
        while True:
            for run in scheduler_tick(timezone.localdate()):
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} 创建 {run}({run.get_status_display()})")
            if once:
                return
            time.sleep(interval)
