"""Resume (or fail) print jobs whose worker stopped. RQ workers do this in their maintenance
(cases/worker.py); run this from cron where tasks run on the database backend instead."""

from django.core.management.base import BaseCommand

from cases.services.print_jobs import print_jobs_recover


class Command(BaseCommand):
    help = "重新排队或标记失败:执行进程中断的批量打印任务"

    def handle(self, *args, **options):
        resumed, failed = print_jobs_recover()
        self.stdout.write(f"resumed {len(resumed)} {resumed}; failed {len(failed)} {failed}")
