"""``dumpdata``/``loaddata`` round-trip (docs/deploy.md): the demo registry dumped with natural
keys loads into a fresh migrated database through ``manage.py load_dump`` and gives the same
rows (every column of every table, the audit chain intact with the same head), and
``sync_case_workflows`` adds nothing on any load path (load_dump, migrate twice).

Runs on the engine of the test run: SQLite files, or PostgreSQL databases beside the test
database (then the append-only triggers are checked to hold after the load too). Every step is
a ``manage.py`` process, as an operator runs it.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = connection.vendor == "postgresql"
# Rows that legitimately differ between two databases: when each applied its migrations.
NOT_DATA = {"django_migrations"}
# SQLite's full-text index keeps its entries (the FTS table itself, compared like any table) in
# segments whose layout depends on the order of inserts: storage, not data.
FTS_STORAGE = ("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")
# A registry whose case workflows were created in another order than a fresh database creates
# them (a case type added in a later release): their primary keys differ from the new database's.
REORDER_WORKFLOWS = """
from wagtail.models import WorkflowTask
from cases import models as m
from cases.workflow import sync_case_workflows
link = m.CaseWorkflow.objects.order_by("pk").first()
workflow = link.workflow
link.delete(); WorkflowTask.objects.filter(workflow=workflow).delete(); workflow.delete()
sync_case_workflows()
print(m.CaseWorkflow.objects.get(case_type=link.case_type).workflow_id)
"""
SEED = """
from django.core.management import call_command
call_command("seed_demo", "--students", "100", "--seed", "7")
"""
# The rows plain ``loaddata`` collides on: the derived case workflows (loading the rest of the
# dump first only takes longer to reach them).
WORKFLOW_MODELS = {"wagtailcore.workflow", "wagtailcore.task", "wagtailcore.workflowtask", "cases.registryapprovaltask",
                   "cases.caseworkflow"}


class Database:
    """A database of the test run's engine, named ``name``, driven through manage.py."""

    def __init__(self, name, tmp_path):
        self.name, self.tmp_path = name, tmp_path
        if POSTGRES:
            db = connection.settings_dict
            self.host, self.user = db["HOST"] or "127.0.0.1", db["USER"]
            self.db_name = f"{db['NAME']}_{name}"
            self.url = f"postgres://{self.user}:{db['PASSWORD'] or ''}@{self.host}:{db['PORT'] or 5432}/{self.db_name}"
        else:
            self.path = tmp_path / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def create(self, template=None):
        if POSTGRES:
            self.drop()
            if template:  # CREATE DATABASE … TEMPLATE waits 5 s for the template's last session to end
                template.sessions_ended()
            subprocess.run(["createdb", "-h", self.host, "-U", self.user, *(["-T", template.db_name] if template else []),
                            self.db_name], check=True)
        elif template:
            shutil.copy(template.path, self.path)
        return self

    def sessions_ended(self, seconds=60):
        """The backend of a manage.py that exited ends late on a loaded machine."""
        maintenance = self.url.rsplit("/", 1)[0] + "/postgres"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            count = subprocess.run(["psql", maintenance, "-tAc", "SELECT count(*) FROM pg_stat_activity WHERE "
                                    f"datname = '{self.db_name}'"], capture_output=True, text=True).stdout.strip()
            if count == "0":
                return
            time.sleep(0.2)

    def drop(self):
        if POSTGRES:
            subprocess.run(["dropdb", "--force", "--if-exists", "-h", self.host, "-U", self.user, self.db_name], check=True)

    def manage(self, *args, check=True):
        env = {**os.environ, "DATABASE_URL": self.url, "DJANGO_SETTINGS_MODULE": "cms.settings.test",
               "MEDIA_ROOT": str(self.tmp_path / "media"), "DJANGO_SUPERUSER_PASSWORD": "restored-admin-2026"}
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}")
        return done

    def rows(self):
        """{table: sorted rows as text}: every column of every table."""
        if POSTGRES:
            tables = [t for t in self.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split()
                      if t not in NOT_DATA]
            sql = " UNION ALL ".join(f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), "
                                     f"'')) FROM \"{t}\" r" for t in tables)
            return {line.split("|", 1)[0]: line for line in self.psql(sql).splitlines()}
        with sqlite3.connect(self.path) as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%'")]
            return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables
                    if t not in NOT_DATA and not t.endswith(FTS_STORAGE)}

    def psql(self, sql, check=True):
        done = subprocess.run(["psql", self.url, "-tAc", sql], capture_output=True, text=True)
        if check and done.returncode:
            raise AssertionError(done.stderr)
        return done.stdout if check else done

    def dump(self, path):
        self.manage("dumpdata", "--natural-foreign", "--natural-primary", "--output", str(path))
        return json.loads(path.read_text(encoding="utf-8"))


def differing(a, b):
    return sorted(t for t in a.keys() | b.keys() if a.get(t) != b.get(t))


@pytest.fixture
def databases(tmp_path):
    made = {name: Database(name, tmp_path) for name in ("dl_fresh", "dl_source", "dl_target", "dl_plain")}
    yield made
    for database in made.values():
        database.drop()


def test_a_dump_of_the_demo_loads_into_a_fresh_database_with_the_same_rows(databases, tmp_path):
    fresh, source, target, plain = (databases[n] for n in ("dl_fresh", "dl_source", "dl_target", "dl_plain"))
    fresh.create().manage("migrate", "--noinput", "-v0")
    source.create(template=fresh)
    source.manage("shell", "-c", REORDER_WORKFLOWS + SEED)  # one process: a Django start-up less
    dumped = source.dump(tmp_path / "source.json")
    assert len(dumped) > 5000
    # Datetimes keep their microseconds (Django's JSON cuts them to milliseconds, which breaks
    # the audit log's hash chain after a load).
    stamps = [o["fields"]["timestamp"] for o in dumped if o["model"] == "cases.registrylogentry"]
    assert stamps and all(len(stamp) == len("2026-12-02T10:56:21.571761Z") for stamp in stamps if "." in stamp)
    assert sum("." in stamp for stamp in stamps) > len(stamps) / 2
    head = source.manage("audit_verify").stdout.split("链头 ")[1].split()[0]

    # Plain loaddata collides with the case workflows the new database derived in its own order.
    plain.create(template=fresh)
    workflows = tmp_path / "workflows.json"
    workflows.write_text(json.dumps([o for o in dumped if o["model"] in WORKFLOW_MODELS]), encoding="utf-8")
    refused = plain.manage("loaddata", str(workflows), check=False)
    assert refused.returncode != 0 and "caseworkflow" in (refused.stdout + refused.stderr).lower()

    target.create(template=fresh)
    target.manage("load_dump", str(tmp_path / "source.json"))
    assert differing(source.rows(), target.rows()) == []  # every column of every table, as stored
    target.manage("audit_verify", "--head", f"registry={head}")  # the hash chain verifies, same head

    # sync_case_workflows adds nothing after a load: the target is now migrated a second time.
    loaded = target.rows()
    target.manage("migrate", "--noinput", "-v0")
    assert differing(loaded, target.rows()) == []

    # A second load into the same database is refused and changes nothing (two registries mixed).
    again = target.manage("load_dump", str(tmp_path / "source.json"), check=False)
    assert again.returncode != 0 and "空数据库" in again.stderr
    assert differing(loaded, target.rows()) == []

    # The loaded database takes new rows (sequences follow the loaded keys).
    target.manage("createsuperuser", "--noinput", "--username", "restored-admin", "--email", "a@example.cn")
    if POSTGRES:  # the append-only triggers hold on the loaded rows
        refused = target.psql("UPDATE cases_registrylogentry SET label = 'x' WHERE id = (SELECT min(id) FROM "
                              "cases_registrylogentry)", check=False)
        assert refused.returncode != 0 and "append-only" in refused.stderr
