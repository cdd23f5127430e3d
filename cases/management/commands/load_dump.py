"""Load a whole-registry ``dumpdata`` into a freshly migrated, empty database (docs/deploy.md).

    manage.py dumpdata --natural-foreign --natural-primary --output xueji.json   # the old one
    manage.py migrate                                                          # the new one
    manage.py load_dump xueji.json

Plain ``loaddata`` of such a dump collides with the rows ``migrate`` derives from the code:
the case workflows (``sync_case_workflows``) get their primary keys in the order the new
database creates them, which is not the order the old one did (a case type added in a later
release came last there). This command refuses a database that already holds registry data,
removes those derived rows, loads the dump in one transaction (raw saves: no service, guard
or signal rewrites what was stored; the append-only triggers do not fire on inserts) and
syncs the workflows again, which finds the loaded ones and adds nothing. On SQLite, Wagtail's
full-text table (``SQLiteFTSIndexEntry``) is filled by a trigger as each search index entry is
loaded, so its dumped rows are left out rather than inserted twice.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Workflow, WorkflowTask

from cases import models as m
from cases.workflow import sync_case_workflows

# Rows that only exist once somebody used the registry (migrations create none of them).
REGISTRY_DATA = (m.School, m.Student, m.Case, m.RegistryLogEntry, m.ArchiveEntry)


def registry_is_empty():
    return not get_user_model()._base_manager.exists() and not any(
        model._base_manager.exists() for model in REGISTRY_DATA)


def forget_derived_workflows():
    """The case workflows ``migrate`` created in this database (the dump brings its own)."""
    workflows = list(m.CaseWorkflow.objects.values_list("workflow_id", flat=True))
    m.CaseWorkflow.objects.all().delete()
    WorkflowTask.objects.filter(workflow_id__in=workflows).delete()
    Workflow.objects.filter(pk__in=workflows).delete()
    m.RegistryApprovalTask.objects.all().delete()  # and their wagtailcore.Task rows


class Command(BaseCommand):
    help = "把 dumpdata 导出的整个学籍库载入刚迁移的空数据库(审批流程以导出的为准)"

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+", metavar="FILE",
                            help="dumpdata --natural-foreign --natural-primary 的输出文件")

    def handle(self, *args, **options):
        if not registry_is_empty():
            raise CommandError("目标数据库已有学籍数据(用户、学校、学生、案卷或日志),"
                               "只能载入刚执行 migrate 的空数据库,以免两套学籍混在一起。")
        with transaction.atomic():
            forget_derived_workflows()
            derived = [f"wagtailsearch.{name}" for name in ("SQLiteFTSIndexEntry",)
                       if name.lower() in apps.all_models["wagtailsearch"]]
            call_command("loaddata", *options["fixtures"], exclude=derived, verbosity=options["verbosity"],
                         stdout=self.stdout)
            sync_case_workflows()
