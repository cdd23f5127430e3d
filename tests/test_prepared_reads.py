"""Reads compiled once per shape (cases/prepared.py) and the read log linked by the database
(chain.append): the API's one-student read and the token query run the same SQL as before with
another value, and a compiled statement never serves another user, a withdrawn permission or
another unit; the read log they write still verifies, whatever the text."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from cases import chain
from cases import models as m
from cases.prepared import _UNPREPARED, PreparedReads
from cases.services.reads import student_reads_record
from graphql_api.core.ids import PREPARED
from tests.factories import SchoolFactory, register_student, staff_user, together
from tests.graphql.kit import Api

ONE = """query($n: String) { student(registryNumber: $n) { name registryNumber
  currentRegistration { status school { name } } } }"""
BY_ID = "query($id: ID!) { node(id: $id) { ... on Student { name } } }"


def test_a_compiled_statement_serves_only_its_own_caller(school, other_school):
    mine = register_student(school=school).student
    theirs = register_student(school=other_school).student
    here, there = Api(staff_user(school), token=True), Api(staff_user(other_school), token=True)
    for _ in range(3):  # compiled on the first call, then run again (prepared on PostgreSQL)
        seen = here.data(ONE, {"n": mine.registry_number})["student"]
        assert seen["name"] == mine.name and seen["registryNumber"] == mine.registry_number
        assert seen["currentRegistration"]["school"]["name"] == school.name
        assert here.data(ONE, {"n": theirs.registry_number})["student"] is None
        assert there.data(ONE, {"n": theirs.registry_number})["student"]["name"] == theirs.name
        assert there.data(ONE, {"n": mine.registry_number})["student"] is None
        assert there.data(ONE, {"n": "G000000000000000000"})["student"] is None
    assert PREPARED._statements, "the one-student read is compiled once per shape"


def test_the_county_above_reads_through_its_own_statement(school, other_school, chengguan):
    mine = register_student(school=school).student
    theirs = register_student(school=other_school).student
    county = Api(staff_user(chengguan), token=True)
    for _ in range(2):
        assert county.data(ONE, {"n": mine.registry_number})["student"]["name"] == mine.name
        assert county.data(ONE, {"n": theirs.registry_number})["student"] is None


def test_a_withdrawn_permission_is_not_served_from_a_compiled_statement(school):
    student = register_student(school=school).student
    user = staff_user(school)
    api = Api(user, token=True)
    for _ in range(2):
        assert api.data(ONE, {"n": student.registry_number})["student"]["name"] == student.name
    user.groups.clear()  # Wagtail's group editor, say
    assert api.data(ONE, {"n": student.registry_number})["student"] is None


def test_ids_and_sessions_take_the_same_path(school, other_school):
    mine = register_student(school=school).student
    theirs = register_student(school=other_school).student
    api = Api(staff_user(school))  # a session this time
    for _ in range(2):
        assert api.data(BY_ID, {"id": _global_id(mine)})["node"]["name"] == mine.name
        assert api.data(BY_ID, {"id": _global_id(theirs)})["node"] is None


def test_the_same_sql_runs_again_with_the_new_value_only(school):
    first, second = (register_student(school=school).student for _ in range(2))
    api = Api(staff_user(school), token=True)
    api.data(ONE, {"n": first.registry_number})
    with CaptureQueriesContext(connection) as captured:
        assert api.data(ONE, {"n": second.registry_number})["student"]["name"] == second.name
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "cases_student"' in (q["sql"] or "")]
    # logged with its text (Django reads none back from a prepared execution), one statement
    assert len(reads) == 1 and second.registry_number in reads[0] and first.registry_number not in reads[0]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ['%FROM "cases_student"%'])
            assert cursor.fetchone()[0] >= 1


@pytest.mark.django_db
def test_a_queryset_that_reads_rows_while_built_is_never_kept():
    prepared = PreparedReads()
    built = []

    def build(code):
        built.append(code)
        parent = m.Jurisdiction.objects.get(code="6201")  # a row read while building
        return m.Jurisdiction.objects.filter(parent=parent, code=code)

    assert [j.code for j in prepared.rows("k", build, "620102")] == ["620102"]
    assert prepared._statements["k"] is _UNPREPARED
    assert [j.code for j in prepared.rows("k", build, "620103")] == ["620103"]
    assert built[-1] == "620103"  # built afresh each time


@pytest.mark.django_db
def test_values_are_never_transformed_into_a_kept_statement():
    prepared = PreparedReads()
    rows = prepared.rows("like", lambda code: m.Jurisdiction.objects.filter(code__startswith=code), "62010")
    assert {j.code for j in rows} >= {"620102", "620103"}
    assert prepared._statements["like"] is _UNPREPARED  # a LIKE pattern is not the value itself


@pytest.mark.django_db
def test_a_shapes_constants_are_written_in_and_only_the_value_travels():
    """On PostgreSQL the shape's own constants (here a name prefix with a quote, a backslash and
    a percent sign, and a date) are literals of the prepared statement, quoted by psycopg; the
    value stays its one parameter. The rows are those of the queryset, for each value."""
    prepared = PreparedReads()
    names = ["O'Brien%\\学校", "O'Brien%\\学校二", "另一所学校"]
    for n, name in enumerate(names):
        m.Jurisdiction.objects.create(code=f"6201{90 + n}", name=name, level="county",
                                      parent=m.Jurisdiction.objects.get(code="6201"))

    def build(code):
        return m.Jurisdiction.objects.filter(name__startswith="O'Brien%\\", code__gte=code).order_by("code")

    for code, expected in (("620190", ["620190", "620191"]), ("620191", ["620191"]), ("620192", [])):
        assert [j.code for j in prepared.rows("named", build, code)] == expected
    statement = prepared._statements["named"]
    if connection.vendor == "postgresql":
        assert len(statement.params) == 1 and statement.slots == [(0, 0)]
        assert "O''Brien" in statement.sql and statement.sql.count("%s") == 1


@pytest.mark.django_db
def test_a_change_of_settings_forgets_every_statement():
    prepared = PreparedReads()
    prepared.rows("k", lambda code: m.Jurisdiction.objects.filter(code=code), "620102")
    assert prepared._statements
    with override_settings(XUEJI_PROVINCE_CODE="63"):
        assert not prepared._statements


def test_the_read_log_verifies_whatever_the_text(school):
    student = register_student(school=school).student
    user = staff_user(school)
    for what in ['含"引号"与\\反斜杠', "换行\n制表\t回车\r", "𠮷 生僻字 and ASCII", "\x1f单元分隔", ""]:
        student_reads_record(acting_user=user, students=[student], door=m.ReadDoor.GRAPHQL, what=what)
    problem, checked, _ = chain.verify(m.ReadLogEntry)
    assert problem is None and checked == m.ReadLogEntry.objects.count() >= 5
    assert m.ReadLogEntry.objects.filter(what="\x1f单元分隔", student=student, user=user).exists()


def test_one_student_over_the_api_is_three_statements_on_postgresql(school):
    if connection.vendor != "postgresql":
        pytest.skip("the read log is linked by PostgreSQL's function")
    student = register_student(school=school).student
    api = Api(staff_user(school), token=True)
    api.data(ONE, {"n": student.registry_number})  # the token's first use writes last_used_at
    before = m.ReadLogEntry.objects.count()
    with CaptureQueriesContext(connection) as captured:
        api.data(ONE, {"n": student.registry_number})
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == 3, sql  # the token (with unit and permissions), the student, the read log
    assert "xueji_read_log_append" in sql[2]
    assert m.ReadLogEntry.objects.count() == before + 1
    assert chain.verify(m.ReadLogEntry)[0] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_in_transactions_and_outside_share_one_chain():
    """The database's append takes the chain's lock like the Python path: writers inside a longer
    transaction and single-statement writers interleave into one chain."""
    if connection.vendor != "postgresql":
        pytest.skip("the read log is linked by PostgreSQL's function")
    from django.db import transaction

    school = SchoolFactory(category="1")
    student = register_student(school=school).student
    user = staff_user(school)

    def read(inside):
        for _ in range(5):
            if inside:
                with transaction.atomic():
                    student_reads_record(acting_user=user, students=[student], door=m.ReadDoor.EXPORT)
                    m.Student.objects.filter(pk=student.pk).exists()  # the transaction goes on
            else:
                student_reads_record(acting_user=user, students=[student], door=m.ReadDoor.GRAPHQL)

    assert not together(read, [(n % 2 == 0,) for n in range(6)])
    problem, checked, _ = chain.verify(m.ReadLogEntry)
    assert problem is None and checked == m.ReadLogEntry.objects.count() >= 30


def _global_id(student):
    import base64

    return base64.b64encode(f"Student:{student.pk}".encode()).decode()


@pytest.mark.django_db
def test_values_lists_read_through_a_statement_keep_their_columns():
    prepared = PreparedReads()
    for code in ("620102", "620103", "620102"):
        rows = prepared.rows("values", lambda c: m.Jurisdiction.objects.filter(code=c).values_list("code", "level"), code)
        assert rows == [(code, "county")]
    assert prepared._statements["values"] is not _UNPREPARED


def test_a_case_by_number_is_read_only_by_its_sides(school, other_school):
    from cases.services.cases import case_create

    student = register_student(school=school).student
    registrar = staff_user(school)
    case = case_create(acting_user=registrar, case_type="dropout", school=school, student=student,
                       reason="absent", effective_on=datetime.date(2026, 3, 2),
                       details={"absent_since": "2026-02-20", "township_reported_on": "2026-02-27"})
    query = "query($n: String) { case(number: $n) { number school { name } } }"
    here, there = Api(registrar, token=True), Api(staff_user(other_school), token=True)
    for _ in range(3):
        assert here.data(query, {"n": case.number})["case"]["school"]["name"] == school.name
        assert there.data(query, {"n": case.number})["case"] is None
        assert here.data(query, {"n": case.number + "0"})["case"] is None


@pytest.mark.django_db
def test_planned_once_gives_the_rows_of_the_queryset():
    from cases.prepared import planned_once

    counties = m.Jurisdiction.objects.filter(parent__code="6201").order_by("code")
    assert [j.code for j in planned_once(counties[:3])] == [j.code for j in counties[:3]]
    assert planned_once(counties.values_list("code", flat=True)[:2]) == list(counties.values_list("code", flat=True)[:2])
    assert planned_once(counties.none()) == []  # an empty scope is no statement at all
    assert planned_once(counties.filter(pk__in=[])) == []


def test_whom_a_unit_holds_is_compiled_once_per_scope_and_answered_per_list(school, other_school, chengguan):
    """``students_held`` runs one statement per scope with each list of ids as its value: the
    answer follows the list, the scope and the registry (a student who left is no longer held),
    never the list of an earlier call."""
    from cases import access
    from cases.services.registrations import registration_change_status, registration_open

    access._HELD_READS.clear()  # process-wide: other tests of this worker compiled theirs
    mine = [register_student(school=school).student for _ in range(3)]
    theirs = register_student(school=other_school).student
    head, other, county = staff_user(school), staff_user(other_school), staff_user(chengguan)
    everyone = [s.pk for s in [*mine, theirs]]
    assert access.students_held(head, everyone, cached=False) == {s.pk for s in mine}
    assert access.students_held(head, [theirs.pk, mine[0].pk], cached=False) == {mine[0].pk}
    assert access.students_held(head, [theirs.pk], cached=False) == set()
    assert access.students_held(other, everyone, cached=False) == {theirs.pk}
    assert access.students_held(county, everyone, cached=False) == {s.pk for s in mine}
    keys = list(access._HELD_READS._statements)
    assert sorted(map(repr, keys)) == sorted(map(repr, {("held", access.scope_of(u)) for u in (head, other, county)}))
    registration = mine[1].registrations.get()
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=mine[1], school=other_school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")
    assert access.students_held(head, everyone, cached=False) == {mine[0].pk, mine[2].pk}
    assert access.students_held(county, everyone, cached=False) == {mine[0].pk, mine[2].pk}
    assert access.students_held(other, everyone, cached=False) == {mine[1].pk, theirs.pk}


def test_whose_data_is_whole_is_read_off_the_row_as_the_query_decides_it(school, other_school, chengguan, lanzhou):
    """A page decides whom the caller holds from the rows it loaded (``Scope.holds``, no query):
    the same answer as ``students_held``'s query, for a school, the former school, the county,
    the city and a unit of another city, before and after a student leaves."""
    from cases import access
    from cases.services.registrations import registration_change_status, registration_open

    here = [register_student(school=school).student for _ in range(2)]
    there = register_student(school=other_school).student
    users = [staff_user(unit) for unit in (school, other_school, chengguan, lanzhou,
                                            m.Jurisdiction.objects.get(code="620502"))]
    ids = [s.pk for s in [*here, there]]

    def agree():
        for user in users:
            rows = list(m.Student.objects.filter(pk__in=ids))
            user.__dict__.pop("_xueji_held", None)
            access.note_held(user, rows)  # what a page does with its rows
            by_row = {pk for pk, held in user.__dict__["_xueji_held"].items() if held}
            assert by_row == access.students_held(user, ids, cached=False), user.username
        return [access.students_held(u, ids, cached=False) for u in users]

    assert agree() == [set(ids[:2]), {there.pk}, set(ids[:2]), set(ids), set()]
    registration = here[0].registrations.get()
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=here[0], school=other_school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")
    assert agree() == [{here[1].pk}, {here[0].pk, there.pk}, {here[1].pk}, set(ids), set()]
