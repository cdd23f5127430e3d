"""Tamper evidence (issue 9, item 10), as the attack: someone with the database in hand alters a
log row or deletes one (bypassing the trigger: SQLite has none, and on PostgreSQL the test
disables it as a database owner could); ``audit_verify`` names the first altered or missing
entry and exits non-zero."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from cases import chain
from cases import models as m
from cases.services.reads import student_reads_record
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, together


@pytest.fixture
def history(db):
    """Some registry log entries (registrations, one by one and as a batch) and read log rows."""
    school = SchoolFactory(category="1")
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)
    students = [register_student(school_class=school_class, stage="junior", name=f"学生{n}").student
                for n in range(4)]
    reader = get_user_model().objects.create_user("reader")
    for student in students:
        student_reads_record(acting_user=reader, students=[student], door=m.ReadDoor.ADMIN_STUDENT, what="学生详情")
    student_reads_record(acting_user=reader, students=students, door=m.ReadDoor.ADMIN_LIST, what="学生列表")
    assert m.RegistryLogEntry.objects.count() >= 4 and m.ReadLogEntry.objects.count() == 8
    return students


def verify(*args):
    out = io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue()


def tamper(table, sql, params=()):
    """Raw SQL past the append-only trigger (a database superuser's power: triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # user triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_an_untouched_history_verifies(history):
    code, out = verify()
    assert code == 0, out
    assert f"{m.RegistryLogEntry.objects.count()} 条完好" in out and "8 条完好" in out
    rows = list(m.ReadLogEntry.objects.order_by("id"))
    assert rows[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(rows, rows[1:]))


def test_an_altered_registry_log_row_is_named(history):
    victim = m.RegistryLogEntry.objects.order_by("id")[1]
    tamper("cases_registrylogentry", "UPDATE cases_registrylogentry SET label = %s WHERE id = %s", ["改写", victim.pk])
    code, out = verify()
    assert code == 1
    assert f"第 {victim.pk} 号记录内容被改动" in out and "学籍操作日志" in out
    assert "学籍查阅记录(reads):8 条完好" in out  # the other chain is whole


def test_an_altered_read_log_row_is_named_even_with_its_hash_recomputed(history):
    rows = list(m.ReadLogEntry.objects.order_by("id"))
    victim, after = rows[2], rows[3]
    tamper("cases_readlogentry", "UPDATE cases_readlogentry SET username = %s WHERE id = %s", ["someone", victim.pk])
    code, out = verify()
    assert code == 1 and f"第 {victim.pk} 号记录内容被改动" in out
    # rewriting the row's own hash too moves the break to the link after it
    victim.refresh_from_db()
    tamper("cases_readlogentry", "UPDATE cases_readlogentry SET entry_hash = %s WHERE id = %s",
           [chain.hash_of(victim.prev_hash, victim), victim.pk])
    code, out = verify()
    assert code == 1 and f"第 {victim.pk} 号之后、第 {after.pk} 号之前有记录缺失或被改写" in out


def test_a_deleted_row_is_named(history):
    rows = list(m.ReadLogEntry.objects.order_by("id"))
    tamper("cases_readlogentry", "DELETE FROM cases_readlogentry WHERE id = %s", [rows[4].pk])
    code, out = verify()
    assert code == 1
    assert f"第 {rows[3].pk} 号之后、第 {rows[5].pk} 号之前有记录缺失" in out


def test_a_deleted_first_row_is_named(history):
    rows = list(m.RegistryLogEntry.objects.order_by("id"))
    tamper("cases_registrylogentry", "DELETE FROM cases_registrylogentry WHERE id = %s", [rows[0].pk])
    code, out = verify()
    assert code == 1 and f"链首至第 {rows[1].pk} 号之前有记录缺失" in out


def test_a_truncated_chain_is_caught_against_a_recorded_head(history):
    code, out = verify()
    head = chain.head_of(m.ReadLogEntry)
    assert code == 0 and head in out
    last = m.ReadLogEntry.objects.order_by("-id").first()
    tamper("cases_readlogentry", "DELETE FROM cases_readlogentry WHERE id = %s", [last.pk])
    assert verify()[0] == 0  # the chain that is left is whole…
    code, out = verify(f"--head=reads={head}")
    assert code == 1 and "已不在链中" in out  # …but the recorded head is gone
    with pytest.raises(CommandError, match="格式"):
        call_command("audit_verify", "--head=reads=abc", stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises writers")
    school = SchoolFactory(category="1")
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=2024)
    student = register_student(school_class=school_class, stage="junior").student
    users = [get_user_model().objects.create_user(f"reader{n}") for n in range(8)]

    def read(user):
        for _ in range(5):
            student_reads_record(acting_user=user, students=[student], door=m.ReadDoor.GRAPHQL)

    assert not together(read, [(user,) for user in users])
    problem, checked, _ = chain.verify(m.ReadLogEntry)
    assert problem is None and checked == 40
    problem, _, _ = chain.verify(m.RegistryLogEntry)
    assert problem is None


def test_a_batch_hashes_the_content_of_each_whole_row():
    """``contents_json`` (a batch's shared columns encoded once, spliced in key order) gives
    exactly ``content_json`` of each whole row, whatever columns are shared, for every kind of
    value an entry holds: text in Chinese, numbers, None, booleans, a time, flat and nested data."""
    import datetime

    common = {"action": "xueji.student.register", "timestamp": datetime.datetime(2026, 9, 1, 8, 30, tzinfo=datetime.UTC),
              "uuid": None, "user_id": 7, "revision_id": None, "content_changed": False, "deleted": False}
    rows = [{"label": "张伟(G6201**********123X)", "object_id": "41", "content_type_id": 12,
             "scope_code": "620102", "school_id": 3, "data": {"registry_number": "G62010220180901123X", "stage": "primary"}},
            {"label": "阿依古丽·买买提", "object_id": "42", "content_type_id": 12, "scope_code": "", "school_id": None,
             "data": {"before": {"address": "兰州市"}, "when": datetime.date(2026, 9, 1), "n": [1, 2.5]}},
            {"label": "", "object_id": "43", "content_type_id": 12, "scope_code": "62", "school_id": None,
             "data": {"已核": True, "b": None, "a": -3, "z\"q": "引号\"与\\斜杠\n", "f": False}},
            {"label": "x", "object_id": "44", "content_type_id": 12, "scope_code": "62", "school_id": 0, "data": {}}]
    for shared in ([], ["scope_code", "school_id"], ["content_type_id", "data"], list(rows[0])[:-1]):
        content = chain.contents_json({**common, **{k: rows[0][k] for k in shared}},
                                      [k for k in rows[0] if k not in shared])
        for row in rows:
            whole = {**common, **row} if not shared else {**common, **row, **{k: rows[0][k] for k in shared}}
            assert content({k: v for k, v in whole.items() if k not in common and k not in shared}) == chain.content_json(whole)
