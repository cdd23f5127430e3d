"""Backup and restore (docs/deploy.md): scripts/backup dumps the database and the media files;
scripts/restore puts them into a fresh database and folder, where every row and every evidence
file is found again, and a later `migrate` (which syncs case workflows) changes nothing."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from cases.models import Evidence
from tests.case_types.helpers import World
from tests.case_types.test_suspension import suspend
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def psql(database_url, sql):
    return subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True, check=True).stdout


def fingerprint(database_url):
    """Every public table: its row count and a digest of all its rows."""
    tables = psql(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM \"{t}\" r"
        for t in tables)
    return sorted(psql(database_url, sql).splitlines())  # UNION ALL may come back in any order (parallel append)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_backup_restores_every_row_and_every_evidence_file_into_a_fresh_database(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore")
    settings.MEDIA_ROOT = tmp_path / "media"
    school = SchoolFactory(category="1")
    registration = register_student(school_class=SchoolClassFactory(school=school, cohort=2024), name="王小明")
    case, _ = suspend(World(), registration, evidence=["parent_application", "hospital_diagnosis"])
    documents = {e.document.file.name: sha256(e.document.file.path) for e in Evidence.objects.filter(case=case)}
    assert len(documents) == 2

    env = {**os.environ, "DATABASE_URL": url(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    backup = subprocess.run([str(ROOT / "scripts/backup"), str(tmp_path / "backups")], env=env,
                            capture_output=True, text=True, check=True).stdout.split()
    dump = backup[0]
    original = fingerprint(env["DATABASE_URL"])

    restored_name = f"{connection.settings_dict['NAME']}_restored"
    subprocess.run(["dropdb", "--force", "--if-exists", "-h", connection.settings_dict["HOST"] or "127.0.0.1", "-U",
                    connection.settings_dict["USER"], restored_name], check=True)
    subprocess.run(["createdb", "-h", connection.settings_dict["HOST"] or "127.0.0.1", "-U",
                    connection.settings_dict["USER"], restored_name], check=True)
    try:
        restored_env = {**env, "DATABASE_URL": url(restored_name), "MEDIA_ROOT": str(tmp_path / "restored-media")}
        subprocess.run([str(ROOT / "scripts/restore"), dump], env=restored_env, capture_output=True, text=True,
                       check=True)
        assert fingerprint(restored_env["DATABASE_URL"]) == original  # every table, every row
        for name, digest in documents.items():
            assert sha256(tmp_path / "restored-media" / name) == digest  # every evidence file, intact
        # A restore into a database that is not empty is refused (it would mix two registries).
        again = subprocess.run([str(ROOT / "scripts/restore"), dump], env=restored_env, capture_output=True,
                               text=True)
        assert again.returncode != 0 and "not empty" in again.stderr
        # migrate after a restore: the post-migrate workflow sync finds its workflows and adds none.
        subprocess.run([os.sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                       env={**restored_env, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}, check=True,
                       capture_output=True)
        assert fingerprint(restored_env["DATABASE_URL"]) == original
    finally:
        subprocess.run(["dropdb", "--force", "--if-exists", "-h", connection.settings_dict["HOST"] or "127.0.0.1", "-U",
                        connection.settings_dict["USER"], restored_name], check=True)
