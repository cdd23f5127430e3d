"""Read and write paths shaped for five million students (issue 13): the maintained current
registration, search by the shape of the query, keyset pages, counts on request, set-based
intake, auxiliary numbers and promotion. Query counts, never timings (those are in bench/)."""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import access
from cases import models as m
from cases.numbers.id_number import make_id_number
from cases.search import query_kind, student_search_filter
from cases.services.auxiliary_numbers import auxiliary_numbers_issue
from cases.services.current import students_refresh_current
from cases.services.registrations import classes_promote, registration_change_status, registration_open
from cases.services.schools import school_update
from cases.services.sequences import sequence_take
from cases.services.students import NewStudent, name_initials, student_convert_temporary_number, students_register
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    assert_current_registrations,
    id_number_for,
    register_student,
    staff_user,
)
from tests.graphql.kit import Api, queries_for

LIST = "wagtailsnippets_cases_student:list_results"


def people(count, *, prefix="学生", with_id=True):
    rows = []
    for n in range(count):
        gender = "F" if n % 2 else "M"
        data = {"name": f"{prefix}{n}", "gender": gender, "birth_date": datetime.date(2012, 3, 1)}
        if with_id:
            data["id_number"], data["birth_date"] = id_number_for(datetime.date(2012, 3, 1), gender)
        else:
            data["birth_date"] = datetime.date(2012, 3, 1) + datetime.timedelta(days=n)
        rows.append(NewStudent(data=data))
    return rows


def intake(school, count, **kwargs):
    return students_register(acting_user=None, school=school, stage="junior", started_on=datetime.date(2024, 9, 1),
                             people=people(count, **kwargs))


def count_queries(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return len(captured.captured_queries), result


# --- the current registration -----------------------------------------------------------------
def test_intake_sets_the_current_registration_school_and_scope(school):
    registrations = intake(school, 3)
    for registration in registrations:
        student = m.Student.objects.get(pk=registration.student_id)
        assert student.current_registration_id == registration.pk
        assert student.current_school_id == school.pk and student.scope_code == "620102"
        assert student.name_initials == name_initials(student.name)
    assert_current_registrations()


def test_transfer_moves_the_reference_and_the_scope(school, other_school):
    registration = register_student(school=school)
    student = registration.student
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    student.refresh_from_db()
    assert student.current_registration_id == registration.pk  # closed, still the latest
    destination = registration_open(acting_user=None, student=student, school=other_school, stage="junior",
                                    started_on=datetime.date(2026, 3, 2), reason="转入")
    student.refresh_from_db()
    assert (student.current_registration_id, student.current_school_id, student.scope_code) == (
        destination.pk, other_school.pk, "620103")
    assert_current_registrations()


def test_the_former_students_of_a_unit_are_those_whose_school_now_is_elsewhere(school, other_school, chengguan,
                                                                               lanzhou):
    """A county's former students are its flagged registrations (the current school is under
    another code); a city's also leave out those who moved between two of its counties, who are
    its current students (cases.access.former_student_ids)."""

    def move(registration, to):
        registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                                   occurred_on=datetime.date(2026, 3, 1), reason="转学")
        return registration_open(acting_user=None, student=registration.student, school=to, stage="junior",
                                 started_on=datetime.date(2026, 3, 2), reason="转入")

    same_county = SchoolFactory(category="1", county=chengguan)
    stays, within, away, back = (register_student(school=school) for _ in range(4))
    move(within, same_county)
    move(away, other_school)  # 七里河区, the same city
    move(move(back, other_school), school)  # left and came back: current again
    assert access.former_student_ids(access.scope_of(staff_user(chengguan))) == [away.student_id]
    assert access.former_student_ids(access.scope_of(staff_user(school))) == sorted(
        [within.student_id, away.student_id])
    assert access.former_student_ids(access.scope_of(staff_user(lanzhou))) == []
    assert access.former_student_ids(access.scope_of(staff_user(other_school))) == [back.student_id]
    assert stays.student_id not in access.former_student_ids(access.scope_of(staff_user(school)))


@pytest.mark.parametrize("status", ["dropped_out", "suspended", "graduated", "deceased", "withdrawn"])
def test_status_changes_keep_the_reference(school, status):
    registration = register_student(school=school)
    registration_change_status(acting_user=None, registration=registration, status=status,
                               occurred_on=datetime.date(2026, 3, 1), reason="变动")
    student = m.Student.objects.select_related("current_registration").get(pk=registration.student_id)
    assert student.current_registration_id == registration.pk
    assert student.current_registration.status == status
    assert_current_registrations()


def test_a_school_moving_under_the_city_takes_its_students_along(school, lanzhou):
    registration = register_student(school=school)
    school_update(acting_user=None, school=school, changes={"supervision": "city"})
    student = m.Student.objects.get(pk=registration.student_id)
    assert student.scope_code == "6201"
    county = staff_user(m.Jurisdiction.objects.get(code="620102"))
    city = staff_user(lanzhou)
    assert not access.in_scope(county, m.Student).filter(pk=student.pk).exists()
    assert access.in_scope(city, m.Student).filter(pk=student.pk).exists()


def test_refresh_repairs_any_number_of_students_in_two_statements(school):
    registrations = intake(school, 20)
    m.Student.objects.update(current_registration=None, current_school=None, scope_code="")
    m.Registration.objects.update(student_elsewhere=True)
    queries, updated = count_queries(lambda: students_refresh_current([r.student_id for r in registrations]))
    assert (queries, updated) == (2, 20)  # the students, then their registrations' flags
    assert_current_registrations()


def test_the_origin_school_still_reads_a_transferred_student_but_may_not_write(school, other_school):
    registration = register_student(school=school)
    student = registration.student
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=student, school=other_school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")
    origin = staff_user(school)
    assert access.in_scope(origin, m.Student).filter(pk=student.pk).exists()
    assert not access.in_scope(origin, m.Student, actions=("change",)).filter(pk=student.pk).exists()
    assert access.in_scope(staff_user(other_school), m.Student, actions=("change",)).filter(pk=student.pk).exists()


# --- search -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind", [
    ("G620102201203010011", "registry_number"), ("g620102201203010011", "registry_number"),
    ("62010220120301001X", "id_number"), (" 620102201203 ", "number_prefix"), ("G6201022012", "number_prefix"),
    ("张伟", "name"), ("ZhangW", "pinyin"), ("zw", "pinyin"), ("张w", None), ("12", None), ("", None),
])
def test_the_shape_of_the_query_decides_the_lookup(text, kind):
    assert query_kind(text) == kind


@pytest.fixture
def named(school, other_school):
    made = {}
    for name, where in (("张伟", school), ("张玮", school), ("章维", school), ("王芳", school), ("张伟", other_school)):
        made.setdefault(name, []).append(register_student(school=where, name=name).student)
    return made


def found(text, queryset=None, user=None):
    """Names matching ``text`` for ``user`` (default: a superuser, who holds every student)."""
    if user is None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
            "root-search", "root@example.com", "x")
    queryset = m.Student.objects.all() if queryset is None else queryset
    return set(queryset.filter(student_search_filter(text, user=user)).values_list("name", flat=True))


def test_search_by_name_pinyin_and_initials_prefix(named):
    assert found("张") == {"张伟", "张玮"}
    assert found("张伟") == {"张伟"}
    assert found("zhangw") == {"张伟", "张玮", "章维"}  # homophones meet in pinyin
    assert found("ZHANG") == {"张伟", "张玮", "章维"}
    assert found("wangf") == {"王芳"}
    assert found("zw") == {"张伟", "张玮", "章维"}
    assert found("wf") == {"王芳"}
    assert found("伟") == set()  # a prefix search: no infix scan
    assert found("张w") == set()  # no known shape: nothing, not a scan


def test_search_by_numbers_exact_and_prefix(named):
    student = named["王芳"][0]
    assert found(student.registry_number) == {"王芳"}
    assert found(student.id_number) == {"王芳"}
    assert found(student.registry_number.lower()) == {"王芳"}
    assert found(student.id_number[:14]) >= {"王芳"}
    assert found(student.registry_number[:12]) >= {"王芳"}
    assert found("G" + "9" * 18) == set()


def test_a_temporary_number_still_finds_the_student_after_conversion(school):
    student = register_student(school=school, with_id=False, household_type="overseas").student
    old = student.registry_number
    assert old.startswith("L")
    id_number = make_id_number("620102", student.birth_date, 101)
    student_convert_temporary_number(acting_user=None, student=student, id_number=id_number)
    assert found(old) == {student.name}


def test_admin_search_is_scoped_like_the_listing(client, named, school):
    other = named["张伟"][1]  # at the other county's school
    client.force_login(staff_user(school))
    text = client.get(reverse(LIST), {"q": other.registry_number}).content.decode()
    assert other.registry_number not in text.replace(f"q={other.registry_number}", "")
    text = client.get(reverse(LIST), {"q": "zw"}).content.decode()
    assert named["张玮"][0].registry_number in text and other.registry_number not in text


# --- keyset pages and counts in the admin --------------------------------------------------------
def listed_numbers(response):
    import re

    return re.findall(r'_title">([GJL]\d{17}[\dX])<', response.content.decode())  # the rows' title cells


def test_admin_listing_pages_by_key_without_counting(client, school):
    intake(school, 120)
    client.force_login(staff_user(m.Jurisdiction.objects.get(code="620102")))
    expected = list(m.Student.objects.order_by("registry_number").values_list("registry_number", flat=True))
    ids = dict(m.Student.objects.values_list("registry_number", "pk"))
    seen, after, pages = [], None, 0
    while True:
        params = {"after": after} if after else {}
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(LIST), params)
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
        numbers = listed_numbers(response)
        seen += numbers
        pages += 1
        # The link names the last student by id, never by its number (a G number is the ID number).
        if not numbers or f"after={ids[numbers[-1]]}" not in response.content.decode() or pages > 5:
            break  # no link to a next page
        assert f"after={numbers[-1]}" not in response.content.decode()
        after = ids[numbers[-1]]
    assert seen == expected and pages == 3
    back = client.get(reverse(LIST), {"before": ids[expected[100]]})
    assert listed_numbers(back) == expected[50:100]
    # A cursor naming a student out of scope (or nothing) is no cursor: the first page, no hint.
    other = register_student(school=SchoolFactory(category="1", county=m.Jurisdiction.objects.get(code="620502")))
    assert listed_numbers(client.get(reverse(LIST), {"after": other.student.pk})) == expected[:50]


def test_admin_listing_counts_only_when_asked_and_only_up_to_a_limit(client, school, monkeypatch):
    from cases.admin import keyset

    intake(school, 12)
    client.force_login(staff_user(m.Jurisdiction.objects.get(code="620102")))
    assert "统计符合条件的学生人数" in client.get(reverse(LIST)).content.decode()
    assert "共 12 名" in client.get(reverse(LIST), {"count": "1"}).content.decode()
    monkeypatch.setattr(keyset, "COUNT_LIMIT", 10)
    assert keyset.bounded_count(m.Student.objects.all(), limit=10) == 11
    page = keyset.keyset_page(m.Student.objects.all(), key="registry_number", size=5, count=True)
    assert page.count_is_bounded


def test_admin_listing_queries_are_flat_from_10_to_100_students(client, school, other_school):
    user = staff_user(m.Jurisdiction.objects.get(code="6201"))
    client.force_login(user)
    intake(school, 10)
    client.get(reverse(LIST))
    small, _ = count_queries(lambda: client.get(reverse(LIST)))
    intake(other_school, 90, prefix="乙")
    large, _ = count_queries(lambda: client.get(reverse(LIST)))
    assert small == large


# --- GraphQL: keyset cursors, counts ----------------------------------------------------------------
PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  students(first: $first, after: $after, last: $last, before: $before) {
    totalCount totalCountIsEstimate pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { cursor node { registryNumber currentRegistration { status school { name } } } } } }"""


def test_graphql_pages_forward_and_back_by_key(school):
    intake(school, 25)
    api = Api(staff_user(m.Jurisdiction.objects.get(code="620102")), token=True)
    expected = list(m.Student.objects.order_by("registry_number").values_list("registry_number", flat=True))
    seen, after = [], None
    while True:
        page = api.data(PAGE, {"first": 10, "after": after})["students"]
        seen += [e["node"]["registryNumber"] for e in page["edges"]]
        assert page["totalCount"] == 25 and page["totalCountIsEstimate"] is False
        # Ordered by registry number, the cursor names the row by id: a G number is the ID number.
        cursor = base64.b64decode(page["pageInfo"]["endCursor"]).decode()
        assert cursor.startswith("keyrow:") and not any(n in cursor for n in expected)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    back = api.data(PAGE, {"last": 5, "before": after})["students"]  # before the 20th
    assert [e["node"]["registryNumber"] for e in back["edges"]] == expected[14:19]
    assert back["pageInfo"]["hasPreviousPage"] is True


def test_graphql_rejects_a_forged_cursor_without_leaking(school):
    intake(school, 3)
    api = Api(staff_user(m.Jurisdiction.objects.get(code="620102")), token=True)
    forged = base64.b64encode(("keyset:" + json.dumps(["x"])).encode()).decode()
    status, body = api(PAGE, {"first": 2, "after": forged})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["invalid_cursor"]


def test_graphql_student_page_queries_flat_and_token_auth_is_two_queries(school):
    user = staff_user(m.Jurisdiction.objects.get(code="620102"))
    api = Api(user, token=True)
    intake(school, 10)
    api.data(PAGE, {"first": 100})  # the token's first use writes last_used_at
    small, _ = queries_for(api, PAGE, {"first": 100})
    intake(school, large_batch() - 10, prefix="乙")  # the read log's INSERT: SQLite's 999 parameters
    large, data = queries_for(api, PAGE, {"first": 100})
    assert len(data["students"]["edges"]) == large_batch() and small == large
    one = "query($n: String) { student(registryNumber: $n) { name } }"
    number = m.Student.objects.order_by("pk").first().registry_number
    api.data(one, {"n": number})  # last_used_at is written at most every few minutes
    with CaptureQueriesContext(connection) as captured:
        assert api.data(one, {"n": number})["student"]["name"]
    sql = [q["sql"] for q in captured.captured_queries]
    token = [q for q in sql if "apitoken" in q]
    assert len(token) == 1 and token[0].startswith("SELECT") and "cases_staffprofile" in token[0]  # user and unit joined
    assert len([q for q in sql if "auth_permission" in q]) == 1  # user and group permissions at once
    if connection.vendor == "postgresql":  # …read with the token, as an array: one statement in all
        assert "auth_permission" in token[0]
    assert not [q for q in sql if q.startswith("SELECT") and "FROM \"cases_staffprofile\"" in q]


def test_graphql_current_registration_is_joined_and_its_scope_decided_without_queries(school, other_school):
    registration = register_student(school=school)
    student = registration.student
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=student, school=other_school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")
    one = """query($n: String) { student(registryNumber: $n) { name
      currentRegistration { status school { name } schoolClass { className } } } }"""
    origin = Api(staff_user(school), token=True)
    # The former school no longer holds the student: a G number (the ID number) finds only held ones.
    assert origin.data(one, {"n": student.registry_number})["student"] is None
    destination = Api(staff_user(other_school), token=True)
    destination.data(one, {"n": student.registry_number})  # the token's first use
    with CaptureQueriesContext(connection) as captured:
        seen = destination.data(one, {"n": student.registry_number})["student"]
    assert seen["currentRegistration"]["school"]["name"] == other_school.name
    sql = [q["sql"] for q in captured.captured_queries]
    # joined to the student's row, and in scope by construction: no query of its own, no check
    assert not [q for q in sql if q.startswith(('SELECT "cases_registration"', 'SELECT "cases_school"',
                                                 'SELECT "cases_schoolclass"'))]
    # the student, whose row says whether the caller holds it (whose data is whole): one query
    assert len([q for q in sql if 'FROM "cases_student"' in q]) == 1


def test_graphql_one_student_reads_whose_data_is_whole_with_its_row(school, other_school):
    """By id, the former school (not the holder) gets the numbers masked and the new school whole,
    each decided from the one query that fetched the student (its current school), none of its own."""
    registration = register_student(school=school)
    student = registration.student
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=student, school=other_school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")
    one = "query($id: ID) { student(id: $id) { registryNumber idNumber name } }"
    global_id = base64.b64encode(f"Student:{student.pk}".encode()).decode()
    for unit, whole in ((school, False), (other_school, True)):
        api = Api(staff_user(unit), token=True)
        api.data(one, {"id": global_id})  # the token's first use
        with CaptureQueriesContext(connection) as captured:
            seen = api.data(one, {"id": global_id})["student"]
        assert seen["name"] == student.name
        assert seen["idNumber"] == (student.id_number if whole else access.mask("id_number", student.id_number))
        assert seen["registryNumber"] == (student.registry_number if whole
                                          else access.mask("registry_number", student.registry_number))
        assert seen["idNumber"] != student.id_number or whole
        assert len([q for q in captured.captured_queries if 'FROM "cases_student"' in q["sql"]]) == 1


# Django caps SQLite statements at 999 parameters (43 students per INSERT): there the large
# batch stays within one INSERT per table; PostgreSQL takes 2,000 rows per INSERT.
def large_batch():
    return 100 if connection.vendor == "postgresql" else 40


def test_intake_statements_do_not_grow_with_the_intake(school):
    SchoolClassFactory(school=school, stage="junior", cohort=2024)
    intake(school, 1, prefix="丁")  # first-use look-ups (content types, counters) out of the way
    small, _ = count_queries(lambda: intake(school, 10, prefix="甲"))
    large, _ = count_queries(lambda: intake(school, large_batch(), prefix="乙"))
    assert small == large


def test_an_intake_past_the_copy_threshold_is_whole_consistent_and_chained(school):
    """On PostgreSQL an intake this size is written by COPY with reserved ids (cases/bulk.py):
    every row is there, each student's current registration is its own, the audit chain holds,
    and the statements do not grow with the rows."""
    from cases import chain
    from cases.bulk import COPY_FROM

    intake(school, 1, prefix="丁")  # first-use look-ups (content types, counters) out of the way
    queries, registrations = count_queries(lambda: intake(school, COPY_FROM + 10, prefix="甲"))
    ids = [r.student_id for r in registrations]
    assert m.Student.objects.filter(pk__in=ids).count() == len(set(ids)) == COPY_FROM + 10
    assert m.RegistrationEvent.objects.filter(registration__in=registrations).count() == COPY_FROM + 10
    assert m.ArchiveEntry.objects.filter(student_id__in=ids).count() == COPY_FROM + 10
    assert m.RegistryLogEntry.objects.filter(action="xueji.student.register").count() == COPY_FROM + 11
    assert_current_registrations()
    problem, checked, _ = chain.verify(m.RegistryLogEntry)
    assert problem is None and checked >= COPY_FROM + 11
    if connection.vendor == "postgresql":  # SQLite: Django splits INSERTs at 999 parameters
        more, _ = count_queries(lambda: intake(school, COPY_FROM + 60, prefix="乙"))
        assert more == queries


def test_auxiliary_numbers_across_schools_and_counties_cost_the_same_statements(school, other_school):
    near = intake(school, 4, prefix="甲")
    far = intake(school, 2, prefix="乙") + intake(other_school, 2, prefix="丙")
    m.AuxiliaryNumber.objects.update(cancelled_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    one_school, _ = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=near))
    two_counties, issued = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=far))
    assert one_school == two_counties  # one template look-up, one counter statement for all prefixes
    assert len({a.number for a in issued}) == 4 and {a.school_id for a in issued} == {school.pk, other_school.pk}


def test_duplicate_check_is_one_query_and_finds_both_kinds(school):
    first = intake(school, 3, prefix="丙")
    without_id = intake(school, 2, prefix="丁", with_id=False)
    existing = m.Student.objects.get(pk=first[0].student_id)
    lacking = m.Student.objects.get(pk=without_id[0].student_id)
    from cases.services.students import duplicates_for_batch

    batch = [{"name": existing.name, "gender": existing.gender, "birth_date": existing.birth_date,
              "id_number": existing.id_number},
             {"name": lacking.name, "gender": lacking.gender, "birth_date": lacking.birth_date, "id_number": None},
             {"name": "无关", "gender": "M", "birth_date": datetime.date(2011, 1, 1), "id_number": None}]
    queries, found_ = count_queries(lambda: duplicates_for_batch(batch))
    assert queries == 1
    assert [found_[0][0].reason, found_[1][0].reason] == ["same_id_number", "same_name_gender_birth"]
    assert 2 not in found_
    before = m.Student.objects.count()
    with pytest.raises(Exception):
        students_register(acting_user=None, school=school, stage="junior", started_on=datetime.date(2024, 9, 1),
                          people=[NewStudent(data={k: v for k, v in batch[0].items()})])
    assert m.Student.objects.count() == before


def test_auxiliary_numbers_are_a_range_from_one_counter_update(school):
    total = 10 + large_batch()
    registrations = intake(school, total)
    m.AuxiliaryNumber.objects.update(cancelled_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    small, issued_small = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=registrations[:10]))
    large, issued_large = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=registrations[10:]))
    assert small == large
    numbers = [a.number for a in issued_small + issued_large]
    assert len(set(numbers)) == total
    assert [int(n[-4:]) for n in numbers] == list(range(int(numbers[0][-4:]), int(numbers[0][-4:]) + total))


def test_a_number_already_in_the_ledger_is_never_issued_again_its_registration_draws_anew(school):
    """The ledger already holds a number the counter hands out (given under an earlier template):
    that registration draws again, the others keep theirs, and every number is audited once."""
    from django.db import transaction

    registrations = intake(school, 3)
    m.AuxiliaryNumber.objects.update(cancelled_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    with transaction.atomic():  # the numbers the counter would hand out next, then forgotten
        preview = [a.number for a in auxiliary_numbers_issue(acting_user=None, registrations=registrations)]
        transaction.set_rollback(True)
    m.AuxiliaryNumber.objects.create(number=preview[1], kind=m.AuxiliaryNumberKind.COMPULSORY,
                                     registration=registrations[0], school=school,
                                     cancelled_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    entries = m.RegistryLogEntry.objects.filter(action="xueji.auxiliary.issue")
    before = entries.count()
    issued = auxiliary_numbers_issue(acting_user=None, registrations=registrations)
    numbers = [a.number for a in issued]
    assert numbers[0] == preview[0] and numbers[2] == preview[2]
    assert numbers[1] not in preview and int(numbers[1][-4:]) == int(preview[2][-4:]) + 1
    assert m.AuxiliaryNumber.objects.filter(number=preview[1]).count() == 1
    assert entries.count() == before + 3 and {e.data["number"] for e in entries.order_by("-id")[:3]} == set(numbers)


def test_auxiliary_numbers_past_the_copy_threshold_are_audited_set_based_and_chained(school):
    """Each number gets its audit entry, written as plain rows into the hash chain (one COPY on
    PostgreSQL, cases/chain.py insert_values): entries name their number and registration, the
    chain verifies row by row, and the statements do not grow with the numbers."""
    from cases import chain
    from cases.bulk import COPY_FROM

    registrations = students_register(acting_user=None, school=school, stage="junior",
                                      started_on=datetime.date(2024, 9, 1), people=people(2 * COPY_FROM + 70),
                                      issue_auxiliary_numbers=False)
    first, second = registrations[:COPY_FROM + 10], registrations[COPY_FROM + 10:]
    queries, issued = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=first))
    entries = m.RegistryLogEntry.objects.filter(action="xueji.auxiliary.issue")
    assert {(e.object_id, e.data["number"], e.data["registration"], e.school_id, e.scope_code) for e in entries} == {
        (str(a.pk), a.number, a.registration_id, school.pk, school.scope_code) for a in issued}
    assert {e.label for e in entries} == {str(a) for a in issued}
    problem, checked, head = chain.verify(m.RegistryLogEntry)
    assert problem is None and checked == m.RegistryLogEntry.objects.count()
    assert head == m.RegistryLogEntry.objects.order_by("-id").first().entry_hash
    more, _ = count_queries(lambda: auxiliary_numbers_issue(acting_user=None, registrations=second))
    assert chain.verify(m.RegistryLogEntry)[0] is None
    if connection.vendor == "postgresql":  # SQLite: Django splits INSERTs at 999 parameters
        assert more == queries


def test_chain_rows_must_name_every_hashed_column(db):
    """A plain row missing a column the hash covers is refused before anything is written."""
    from django.db import transaction

    from cases import chain

    with transaction.atomic(), pytest.raises(ValueError, match="need exactly"):
        chain.insert_values(m.RegistryLogEntry, [{"action": "xueji.student.register", "label": "x"}])
    assert not m.RegistryLogEntry.objects.exists()


def test_auxiliary_numbers_refused_writes_nothing(school):
    registrations = intake(school, 3)
    before = m.AuxiliaryNumber.objects.count(), list(m.SequenceCounter.objects.values_list("last_value", flat=True))
    with pytest.raises(Exception) as error:
        auxiliary_numbers_issue(acting_user=None, registrations=registrations)
    assert getattr(error.value, "code", "") == "auxiliary_number_live"
    after = m.AuxiliaryNumber.objects.count(), list(m.SequenceCounter.objects.values_list("last_value", flat=True))
    assert before == after


def test_sequence_take_is_one_statement_for_any_count(db):
    queries, first = count_queries(lambda: sequence_take("T", 1000))
    assert (queries, first) == (1, 1)
    assert sequence_take("T", 5) == 1001
    assert m.SequenceCounter.objects.get(prefix="T").last_value == 1005


def test_promotion_is_two_statements_whatever_the_number_of_classes(school):
    for n in range(3):
        SchoolClassFactory(school=school, stage="junior", cohort=2024 - n, class_name=f"{n}班")
    small, _ = count_queries(lambda: classes_promote(acting_user=None, school_year=2026))
    for n in range(30):
        SchoolClassFactory(school=school, stage="junior", cohort=2024 - n % 3, class_name=f"新{n}班")
    large, result = count_queries(lambda: classes_promote(acting_user=None, school_year=2026))
    assert small == large
    assert result == (10, 20)  # cohort 2024 moves up to grade 3; 2023 and 2022 have done their three years


# --- seed_province ----------------------------------------------------------------------------------
def test_seed_province_builds_a_consistent_province(db, client):
    from django.core.management import call_command

    if connection.vendor == "postgresql":
        # On PostgreSQL the loader COPYs over connections of its own while this test's transaction
        # holds the locks of the dropped indexes: they wait on each other. Its PostgreSQL path is
        # exercised by bench/ against a real database (see the issue note); here the same build runs
        # through the SQLite path.
        pytest.skip("seed_province's COPY path needs committed transactions (run it in bench/)")

    from cases.numbers.id_number import validate_id_number

    call_command("seed_province", students=2000, cases=2, stdout=open("/dev/null", "w"))
    assert m.Student.objects.count() == 2000
    assert set(m.School.objects.values_list("category", flat=True)) == set(m.SchoolCategory.values)
    assert m.School.objects.values("county").distinct().count() == m.Jurisdiction.objects.filter(level="county").count()
    assert m.Registration.objects.filter(status="graduated").exists()
    assert m.Registration.objects.filter(status="suspended").exists() or m.Student.objects.count() < 1000
    for student in m.Student.objects.exclude(id_number=None)[:200]:
        assert validate_id_number(student.id_number, birth_date=student.birth_date, gender=student.gender)
        assert student.registry_number == "G" + student.id_number
    numbers = list(m.AuxiliaryNumber.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert_current_registrations()
    assert m.StaffProfile.objects.filter(user__username="province").exists()
    # The history's approved cases: each transfer names the registration it closed at its school
    # and the school of the student's next one; numbers unique, the year's counter above them
    # (the cases in flight were numbered after them by the service).
    decided = m.Case.objects.filter(state="approved")
    assert {"transfer", "suspension"} <= set(decided.values_list("case_type", flat=True))
    for case in decided.filter(case_type="transfer").select_related("registration"):
        assert (case.registration.status, case.registration.school_id) == ("transferred_out", case.school_id)
        assert case.student_id == case.registration.student_id
        assert m.Registration.objects.filter(student=case.student_id, school=case.destination_school_id,
                                             started_on__gt=case.effective_on).exists()
    for case in decided.filter(case_type="suspension").select_related("registration"):
        assert case.registration.status == "suspended" and case.end_on == case.registration.suspended_until
    assert m.Case.objects.filter(state__in=("draft", "in_review")).count() == 2
    assert m.Case.objects.values("number").distinct().count() == m.Case.objects.count()
    # A seeded case reads like any other in the admin.
    client.force_login(m.StaffProfile.objects.get(user__username="province").user)
    inspect = client.get(reverse("wagtailsnippets_cases_case:edit", args=[decided.filter(case_type="transfer")[0].pk]))
    assert inspect.status_code == 200 and "已批准" in inspect.content.decode()
    # A second run refuses: the province is built on an empty database only.
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_province", students=400, stdout=open("/dev/null", "w"))


def test_the_province_is_decided_by_the_seed(db):
    from cases.province import Province

    places = {code: (pk, aux) for pk, code, aux in m.Jurisdiction.objects.values_list("id", "code", "auxiliary_code")}

    def lines(seed):
        province = Province(300, seed, datetime.date(2026, 10, 1), dict.fromkeys(
            ["school", "class", "student", "registration", "event", "aux", "case"], 1), places)
        schools = province.plan_schools()
        classes = province.plan_classes(schools)

        class Collect:
            def __init__(self):
                self.rows = []

            def write(self, key, rows):
                self.rows += [(key, row) for row in rows]

        out = Collect()
        province.people(classes, schools, out, log=lambda text: None)
        return province.school_lines(schools) + province.class_lines(classes) + out.rows

    assert lines(7) == lines(7)
    assert lines(7) != lines(8)


def test_graphql_pages_merge_current_and_former_students_by_key(school, other_school):
    """A county's list is two parts (its current students, and those who left or are subjects of
    its cases): each part gives only its keys, the page's rows are then read by id; forward and
    back, every student once, in registry-number order, with the same statements for 10 and 100."""
    registrations = intake(school, 25)
    for registration in registrations[::5]:  # five leave for another county: former students now
        registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                                   occurred_on=datetime.date(2026, 3, 1), reason="转学")
        registration_open(acting_user=None, student=registration.student, school=other_school, stage="junior",
                          started_on=datetime.date(2026, 3, 2), reason="转入")
    county = m.Jurisdiction.objects.get(code="620102")
    assert len(access.student_parts(staff_user(county))) == 2
    api = Api(staff_user(county), token=True)
    moved = {r.student.registry_number for r in registrations[::5]}
    # The county no longer holds those who left: their G numbers (ID numbers) are shown masked.
    expected = [access.mask("registry_number", n) if n in moved else n
                for n in m.Student.objects.order_by("registry_number", "pk").values_list("registry_number", flat=True)]
    seen, after = [], None
    while True:
        page = api.data(PAGE, {"first": 4, "after": after})["students"]
        seen += [e["node"]["registryNumber"] for e in page["edges"]]
        assert page["totalCount"] == 25
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    back = api.data(PAGE, {"last": 6, "before": after})["students"]
    assert [e["node"]["registryNumber"] for e in back["edges"]] == expected[17:23]  # before the 24th
    assert back["pageInfo"]["hasPreviousPage"] is True
    tail = api.data(PAGE, {"last": 3})["students"]
    assert [e["node"]["registryNumber"] for e in tail["edges"]] == expected[-3:]
    moved = {access.mask("registry_number", n) for n in moved}
    shown = {e["node"]["registryNumber"]: e["node"]["currentRegistration"]
             for e in api.data(PAGE, {"first": 100})["students"]["edges"]}
    assert all(shown[number] is None for number in moved)  # their registration now is elsewhere
    assert all(shown[number]["school"]["name"] == school.name for number in set(expected) - moved)


def _leave(registration, school):
    registration_change_status(acting_user=None, registration=registration, status="transferred_out",
                               occurred_on=datetime.date(2026, 3, 1), reason="转学")
    registration_open(acting_user=None, student=registration.student, school=school, stage="junior",
                      started_on=datetime.date(2026, 3, 2), reason="转入")


def test_graphql_student_pages_are_compiled_once_and_follow_the_registry(school, other_school):
    """A page's statements (each part's keys, the page's rows) are compiled once per shape and run
    again with the values of the page (the ids of who left, the cursor's key): a student who leaves
    after they were compiled is in the next walk, masked; nothing is compiled anew for it."""
    from graphql_api.core.ids import PREPARED

    PREPARED.clear()  # process-wide: other tests of this worker compiled theirs
    registrations = intake(school, 12)
    _leave(registrations[0], other_school)
    county = m.Jurisdiction.objects.get(code="620102")
    api = Api(staff_user(county), token=True)

    def walk():
        seen, after = [], None
        while True:
            page = api.data(PAGE, {"first": 5, "after": after})["students"]
            seen += [e["node"]["registryNumber"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    def expected(moved):
        moved = {r.student.registry_number for r in moved}
        return [access.mask("registry_number", n) if n in moved else n
                for n in m.Student.objects.order_by("registry_number", "pk").values_list("registry_number", flat=True)]

    assert walk() == expected(registrations[:1])
    compiled = len(PREPARED._statements)
    assert compiled >= 2  # a part's keys, first page and after a cursor
    _leave(registrations[1], other_school)
    assert walk() == expected(registrations[:2])
    assert len(PREPARED._statements) == compiled
    other = Api(staff_user(m.Jurisdiction.objects.get(code="620103")), token=True)  # 七里河区: holds both now
    seen = [e["node"]["registryNumber"] for e in other.data(PAGE, {"first": 20})["students"]["edges"]]
    assert sorted(seen) == sorted(r.student.registry_number for r in registrations[:2])


def test_a_student_page_compiled_on_one_day_filters_by_the_grade_of_the_next(school, monkeypatch):
    """A grade is a cohort by today's school year: a page compiled on 31 August is not served on
    1 September (the day is part of the shape)."""
    from django.utils import timezone

    older = SchoolClassFactory(school=school, stage="junior", cohort=2025)
    newer = SchoolClassFactory(school=school, stage="junior", cohort=2026)
    register_student(school=school, school_class=older, name="甲")
    register_student(school=school, school_class=newer, name="乙", started_on=datetime.date(2026, 9, 1))
    api = Api(staff_user(school), token=True)
    grade = "query($grade: Int) { students(first: 10, grade: $grade) { edges { node { name } } } }"

    def names():
        return [e["node"]["name"] for e in api.data(grade, {"grade": 1})["students"]["edges"]]

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 8, 31))
    assert names() == ["甲"] and names() == ["甲"]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 9, 1))
    assert names() == ["乙"]


def test_a_web_worker_starts_with_its_code_loaded_and_out_of_the_collectors_scans():
    """cms.wsgi.settle: what the first request would load is loaded at start (URLs, admin, the
    API's schema) and frozen, so a full garbage collection in a bulk service of ten thousand
    rows does not walk all of Django, Wagtail and graphene (some 100 ms at province scale)."""
    import gc
    import sys

    from cms import wsgi

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    wsgi.settle()
    assert "graphql_api.schema" in sys.modules and "cases.admin" in sys.modules
    assert gc.get_freeze_count() > 100_000


def test_a_county_reads_the_keys_of_who_left_off_their_registrations(school, other_school, chengguan, lanzhou):
    """A county's page reads the keys of its former students off the copies on their flagged
    registrations (one index range), not off their student rows: the same pages as the generic
    statement, with a subject of a draft case into the county, after a number conversion (the
    copy follows) and after one comes back (no longer former); a filtered page keeps the generic
    statement; the copies are kept with the flag (assert_current_registrations)."""
    from graphql_api.core import nodes
    from tests.case_types.helpers import World, open_case
    from tests.graphql.conftest import class_of

    registrations = intake(school, 9)
    overseas = register_student(school=school, with_id=False, household_type="overseas")
    for registration in [*registrations[::3], overseas]:
        _leave(registration, other_school)
    incoming = register_student(school=other_school, name="李小红", gender="F")  # a draft transfer into the county names it
    world = World()
    open_case(world, case_type="transfer", school=other_school, student=incoming.student, transfer_scope="within",
              destination_school=school, details={"destination_class": class_of(school).pk}, reason="relocation",
              evidence=["transfer_application", "residence_proof"])
    county = staff_user(chengguan)
    api = Api(county, token=True)

    def walk(**filters):
        seen, after, statements = [], None, []
        while True:
            with CaptureQueriesContext(connection) as captured:
                page = api.data(PAGE_FILTERED, {"first": 4, "after": after, **filters})["students"]
            statements += [q["sql"] for q in captured.captured_queries]
            seen += [e["node"]["registryNumber"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen, statements
            after = page["pageInfo"]["endCursor"]

    def generic(**filters):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(nodes, "_plain_forward", lambda keys, args: False)
            return walk(**filters)[0]

    def keyed_off_registrations(statements):
        return any("former_registry_number" in sql for sql in statements)

    def check():
        assert_current_registrations()
        seen, statements = walk()
        assert keyed_off_registrations(statements)
        assert seen == generic()
        return seen

    seen = check()
    assert len(seen) == 9 + 1 + 1  # its nine, the one who left with an overseas number, the draft case's subject
    assert access.mask("registry_number", incoming.student.registry_number) in seen
    old = m.Student.objects.get(pk=overseas.student_id).registry_number
    student_convert_temporary_number(acting_user=None, student=overseas.student,
                                     id_number=make_id_number("620102", overseas.student.birth_date, 101))
    converted = check()
    assert old in seen and old not in converted  # L… became a G number: masked, in its new place
    _leave(m.Registration.objects.get(student=registrations[0].student, status="active"), school)  # came back
    back = check()  # the same students, one of them current again (its number whole)
    returned = registrations[0].student.registry_number
    assert access.mask("registry_number", returned) in converted and returned in back and len(back) == len(converted)
    filtered, statements = walk(name="学生")
    assert not keyed_off_registrations(statements)
    assert filtered == generic(name="学生") and len(filtered) == 9


def test_a_unit_reads_through_a_case_only_whom_no_registration_gives_it(school, other_school, chengguan, qilihe,
                                                                        tianshui_qinzhou):
    """A case lets a unit read its subject while it is in flight (a transfer into it, before the
    student is there) and, at its destination, after an approved placement that leaves the
    registration at the origin (随班就读); an approved transfer's subject is read through the
    registrations on both sides, so the years of approved cases are never visited
    (access._cases_naming). Lists and single reads agree; a third county reads neither, nor the
    case's history."""
    from tests.case_types.helpers import World, open_case, submit_and_approve_all
    from tests.graphql.conftest import class_of

    world = World()
    moving = register_student(school=other_school, name="李小红", gender="F", started_on=datetime.date(2024, 9, 1))
    placed = register_student(school=other_school, name="杨小花", gender="F", disability="intellectual")
    special = SchoolFactory(category="S", county=chengguan)
    transfer, mover = open_case(world, case_type="transfer", school=other_school, student=moving.student,
                                transfer_scope="within", destination_school=school, reason="relocation",
                                details={"destination_class": class_of(school).pk},
                                evidence=["transfer_application", "residence_proof"])
    placement, placer = open_case(world, case_type="special_placement", school=other_school,
                                  student=placed.student, destination_school=special, details={"mode": "stay"})
    here, there, special_school, elsewhere = (staff_user(unit) for unit in (chengguan, qilihe, special,
                                                                             tianshui_qinzhou))

    def naming(user):
        return set(m.Case.objects.filter(access._cases_naming(access.scope_of(user))).values_list("pk", flat=True))

    def read(user):
        """Whom of the two the user reads, one by one and in its list (GraphQL, every page)."""
        ones = {r.student.name for r in (moving, placed) if access.in_scope(user, m.Student).filter(
            pk=r.student_id).exists()}
        listed = {edge["node"]["name"] for edge in Api(user).data(
            "{ students(first: 100) { edges { node { name } } } }")["students"]["edges"]}
        assert ones == listed & {"李小红", "杨小花"}
        return ones

    assert naming(here) == naming(there) == {transfer.pk, placement.pk} and naming(special_school) == {placement.pk}
    assert read(here) == read(there) == {"李小红", "杨小花"} and read(special_school) == {"杨小花"}
    submit_and_approve_all(world, transfer, mover)
    submit_and_approve_all(world, placement, placer)
    assert m.Case.objects.filter(pk__in=(transfer.pk, placement.pk), state="approved").count() == 2
    assert naming(here) == naming(special_school) == {placement.pk} and naming(there) == set()
    assert read(here) == read(there) == {"李小红", "杨小花"} and read(special_school) == {"杨小花"}
    assert naming(elsewhere) == set() and read(elsewhere) == set()
    # Its history: the origin reads it by its code, the destination by the case's id (asked only
    # for cases into the county from outside), a third county not at all.
    history = m.RegistryLogEntry.objects.filter(object_id=str(transfer.pk), action__startswith="xueji.case")
    entries = {user: set(access.audit_entries_visible(user, history).values_list("pk", flat=True))
               for user in (here, there, elsewhere)}
    assert entries[here] == entries[there] == set(history.values_list("pk", flat=True)) != set()
    assert entries[elsewhere] == set()


@pytest.mark.postgres
def test_the_cases_naming_their_subject_are_read_off_two_partial_indexes(school, chengguan):
    """The outside part's cases are ranges of two partial indexes (cases in flight, approved
    placements), never the county's approved cases: the statement's shape must let the planner
    prove each index's condition."""
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes and plans are PostgreSQL's")
    subjects = access._case_subjects(access.scope_of(staff_user(chengguan)))
    sql, params = subjects.query.sql_with_params()
    with connection.cursor() as cursor:
        # Empty tables cost every index alike: without the plain scope indexes (dropped inside
        # the test's transaction) the planner takes the partial ones where it can prove their
        # conditions, else scans the table.
        cursor.execute("DROP INDEX cases_case_scope_code_33c34b3d, cases_case_scope_code_33c34b3d_like, "
                       "cases_case_destination_scope_code_85a7d9c8, cases_case_destination_scope_code_85a7d9c8_like")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_undecided_origin" in plan and "case_naming_destination" in plan, plan


PAGE_FILTERED = """query($first: Int, $after: String, $name: String) {
  students(first: $first, after: $after, name: $name) {
    pageInfo { hasNextPage endCursor } edges { node { registryNumber } } } }"""


def test_overdue_suspensions_are_a_units_own_school_by_school(school, other_school, chengguan, lanzhou):
    """第三十一条 on the dashboard: each unit sees the first suspensions past their end among its own
    schools' registrations, oldest end first and at most ``limit`` (on PostgreSQL read school by
    school from a partial index, not by walking the province's list); never another county's,
    never one not yet due or resumed; the province sees the registry's first."""
    from cases.admin.hooks import overdue_suspensions
    from cases.services.registrations import registration_set_suspension_end

    second = SchoolFactory(category="1", county=chengguan)
    today = datetime.date(2026, 12, 3)

    def suspended(at, until):
        registration = register_student(school=at, name=f"休学{until:%m%d}{at.pk}")
        registration_change_status(acting_user=None, registration=registration, status="suspended",
                                   occurred_on=datetime.date(2026, 3, 1), reason="休学")
        registration_set_suspension_end(acting_user=None, registration=registration, until=until, reason="测试")
        return registration.pk

    mine = [suspended(s, datetime.date(2026, 11, 1) - datetime.timedelta(days=d)) for d in range(3) for s in (school, second)]
    theirs = [suspended(other_school, datetime.date(2026, 10, 1))]
    suspended(school, today)  # due today: not yet past its end
    resumed = suspended(second, datetime.date(2026, 6, 1))
    registration_change_status(acting_user=None, registration=m.Registration.objects.get(pk=resumed), status="active",
                               occurred_on=datetime.date(2026, 7, 1), reason="复学")

    def expected(pks):
        return list(m.Registration.objects.filter(pk__in=pks).order_by("suspended_until", "id").values_list("pk", flat=True))

    def seen(unit, limit=50):
        return [r.pk for r in overdue_suspensions(staff_user(unit), today=today, limit=limit)]

    assert seen(chengguan) == expected(mine)
    assert seen(chengguan, limit=4) == expected(mine)[:4]
    assert seen(school) == expected([pk for pk in mine if m.Registration.objects.get(pk=pk).school_id == school.pk])
    assert seen(lanzhou) == expected(mine + theirs)
    assert seen(other_school) == theirs
    assert seen(m.Jurisdiction.objects.get(code="62"), limit=2) == expected(mine + theirs)[:2]


def test_the_numbers_stay_unique_without_their_pattern_twins(school):
    """Registry, ID and auxiliary numbers are unique as constraints: the database refuses a second
    one (students without an ID number are many), and on PostgreSQL no LIKE (pattern-ops) twin nor
    an index without a reader is written with every intake and every batch of numbers."""
    from django.db import IntegrityError, transaction

    first = register_student(school=school, name="甲")
    register_student(school=school, name="乙", with_id=False)
    register_student(school=school, name="丙", with_id=False)  # NULL ID numbers do not collide
    student = first.student
    for column, value in (("registry_number", student.registry_number), ("id_number", student.id_number)):
        twin = {"registry_number": f"J{student.pk:018d}", "id_number": None, column: value}
        with pytest.raises(IntegrityError), transaction.atomic():
            m.Student.objects.create(name="重", name_pinyin="zhong", gender="M", birth_date=student.birth_date, **twin)
    number = first.auxiliary_numbers.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.AuxiliaryNumber.objects.create(number=number.number, kind=number.kind, registration=first, school=school)
    assert m.Student.objects.count() == 3 and m.AuxiliaryNumber.objects.filter(number=number.number).count() == 1
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('cases_student', "
                       "'cases_auxiliarynumber', 'cases_registration', 'cases_registrationevent')")
        definitions = cursor.fetchall()
    assert not [d for _, d in definitions if "pattern_ops" in d and ("number" in d.split("(")[1])], definitions
    unread = {("cases_auxiliarynumber", "issued_by_id"), ("cases_auxiliarynumber", "cancelled_by_id"),
              ("cases_registrationevent", "recorded_by_id"), ("cases_student", "household_county_id"),
              ("cases_student", "paper_archive_school_id"), ("cases_student", "current_registration_id"),
              ("cases_registration", "school_id")}
    single = {(table, d.rsplit("(", 1)[1].rstrip(")")) for table, d in definitions if "WHERE" not in d}
    assert not unread & single, unread & single



def test_the_registry_log_indexes_only_what_is_read_and_a_batch_skips_the_user_actions(school):
    """A batch's audit entries (audit_many: an intake, a range of numbers) carry no uuid and leave
    the index of user actions alone; an entry written in a request carries its action's uuid, and
    Wagtail's history still finds the latest entry of each user action. No index on the content
    type alone nor on the revision (migration 0037)."""
    from wagtail.log_actions import LogContext

    from cases.audit import audit

    registrations = intake(school, 3)
    batch = m.RegistryLogEntry.objects.filter(action="xueji.student.register",
                                              object_id__in=[str(r.student_id) for r in registrations])
    assert batch.count() == 3 and not batch.filter(uuid__isnull=False).exists()
    student = registrations[0].student
    with LogContext() as context:
        audit(student, "xueji.student.edit", acting_user=None, data={"field": "phone"})
        audit(student, "xueji.student.edit", acting_user=None, data={"field": "address"})
    history = m.RegistryLogEntry.objects.for_instance(student).filter(action="xueji.student.edit")
    assert set(history.values_list("uuid", flat=True)) == {context.uuid}
    latest = history.latest_by_uuid_and_action()  # one per user action: the later of the two
    assert [e.data for e in latest] == [{"field": "address"}]
    assert m.RegistryLogEntry.objects.for_instance(student).latest_by_uuid_and_action().count() == 2  # and the intake
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_registrylogentry'")
        definitions = dict(cursor.fetchall())
        single = {d.rsplit("(", 1)[1].rstrip(")") for d in definitions.values() if "WHERE" not in d}
        assert not {"content_type_id", "revision_id"} & single, definitions
        assert "WHERE (uuid IS NOT NULL)" in definitions["registry_log_user_action"], definitions
        sql, params = history.latest_by_uuid_and_action().query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "registry_log_user_action" in plan, plan  # the partial index answers Wagtail's question


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_promotions_at_the_same_moment_promote_each_class_once():
    """The yearly promotion writes its rows without ON CONFLICT: two runs at once take turns on
    the promotions' lock, the second finds every class promoted and writes nothing, and nobody
    fails. The classes' table keeps room for the yearly UPDATE (fillfactor, migration 0022)."""
    if connection.vendor != "postgresql":
        pytest.skip("table locks and fillfactor are PostgreSQL's; SQLite serialises writers")
    from tests.factories import together

    school = SchoolFactory(category="1")
    for n in range(40):
        SchoolClassFactory(school=school, stage="junior", cohort=2024 - n % 3, class_name=f"{n}班")
    results = []
    errors = together(lambda: results.append(classes_promote(acting_user=None, school_year=2026)), [(), ()])
    assert errors == [] and sorted(results) == [(0, 0), (14, 26)]
    assert m.ClassPromotion.objects.filter(school_year=2026).count() == 14
    assert set(m.SchoolClass.objects.values_list("promoted_through", flat=True)) == {2026}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'cases_schoolclass'")
        assert cursor.fetchone()[0] == ["fillfactor=50"]


def test_the_registrations_list_finds_students_part_by_part_and_filters_by_school(client, school, other_school,
                                                                                  chengguan):
    """The registrations' search matched ``icontains`` over the student's name, number and the
    school's name, ORed across the joined tables: no index could serve it (9.8 s for the
    province, 0.8 s a county at 5 M). The student is found as the student list finds one, within
    each part of the unit's scope (a UNION of index ranges), and the school is a filter."""
    from tests.factories import SchoolFactory

    second = SchoolFactory(category="1", county=chengguan)
    mine = register_student(school=school, name="陈一")
    also = register_student(school=second, name="陈二")
    register_student(school=school, name="王三")
    register_student(school=other_school, name="陈四")  # another county's
    client.force_login(staff_user(chengguan, role="reviewer"))
    url = reverse("wagtailsnippets_cases_registration:list_results")

    def listed(**params):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, params).content.decode()
        names = {name for name in ("陈一", "陈二", "王三", "陈四") if name in page}
        return names, [q["sql"] for q in queries.captured_queries if "cases_registration" in q["sql"]]

    names, sql = listed(q="陈")
    assert names == {"陈一", "陈二"}
    assert any("UNION" in s for s in sql) and not any("%陈%" in s or "UPPER(" in s for s in sql), sql
    assert listed(q="chen")[0] == {"陈一", "陈二"}  # pinyin, as in the student list
    assert listed(q=mine.student.registry_number)[0] == {"陈一"}
    assert listed(school=second.pk)[0] == {"陈二"} and listed(school=second.pk, q="陈")[0] == {"陈二"}
    assert "陈四" not in listed(school=other_school.pk)[0]  # another county's school: not a choice
    assert also.school_id == second.pk
    # The page's keys are sorted alone, its rows then read by key (not whole joined rows sorted).
    ordered = [s for s in listed()[1] if "ORDER BY" in s and '"started_on" DESC' in s]
    assert ordered and all(s.startswith('SELECT "cases_registration"."id" AS "pk" FROM') for s in ordered), ordered


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_statistics_refreshes_at_the_same_moment_count_each_cell_once():
    """The daily snapshot deletes its cells and counts them anew: two refreshes at once (the job
    and a manual run) take turns on the cells' tables, or each DELETE misses the other's rows and
    every school is counted twice."""
    if connection.vendor != "postgresql":
        pytest.skip("table locks are PostgreSQL's; SQLite serialises writers")
    from cases.services.statistics import statistics_refresh
    from tests.factories import together

    for school in (SchoolFactory(category="0"), SchoolFactory(category="0")):
        for n in range(3):
            register_student(school=school, stage="primary", name=f"统计{n}")
    statistics_refresh()
    cells = sorted(m.StatisticsCell.objects.values_list("school_id", "stage", "cohort", "status", "n"))
    oversight = sorted(m.OversightCell.objects.values_list("school_id", "check_key", "n"))
    errors = together(statistics_refresh, [(), ()])
    assert errors == []
    assert sorted(m.StatisticsCell.objects.values_list("school_id", "stage", "cohort", "status", "n")) == cells
    assert sorted(m.OversightCell.objects.values_list("school_id", "check_key", "n")) == oversight
