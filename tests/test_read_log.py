"""第三十八条 (issue 9, item 9): every read of a student's record is logged — who, when, what,
through which door — cheaply (one INSERT per request whatever the page size), scoped, and
reviewed by the authority above in the admin."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import models as m
from cases.models import Jurisdiction, Role
from cases.services.certificates import certificate_issue
from cases.services.reads import student_reads_record
from tests.factories import SchoolClassFactory, SchoolFactory, register_student, staff_user


@pytest.fixture
def places(db):
    county = Jurisdiction.objects.get(code="620102")
    other = Jurisdiction.objects.get(code="620502")
    return {"county": county, "other": other,
            "school": SchoolFactory(category="1", county=county, name="城关区第一初级中学"),
            "other_school": SchoolFactory(category="1", county=other, name="秦州区第一中学")}


def pupils(school, count, cohort=2024):
    school_class = SchoolClassFactory(school=school, stage="junior", cohort=cohort)
    return [register_student(school_class=school_class, stage="junior", name=f"学生{n}").student for n in range(count)]


def inserts_into_read_log(captured):
    """The statements that wrote the read log: its INSERT, or on PostgreSQL the call of the
    function that links and inserts the rows (chain.append)."""
    return [q for q in captured.captured_queries
            if q["sql"].startswith(("INSERT INTO \"cases_readlogentry\"", "SELECT xueji_read_log_append("))]


def test_the_student_page_logs_who_read_what_through_which_door(client, places):
    student = pupils(places["school"], 1)[0]
    registrar = staff_user(places["school"])
    client.force_login(registrar)
    response = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[student.pk]))
    assert response.status_code == 200
    entry = m.ReadLogEntry.objects.get()
    assert (entry.user_id, entry.username, entry.student_id, entry.door) == (
        registrar.pk, registrar.username, student.pk, m.ReadDoor.ADMIN_STUDENT)
    assert entry.what.startswith("学生详情") and entry.scope_code == places["school"].scope_code


def test_an_out_of_scope_page_logs_nothing(client, places):
    student = pupils(places["school"], 1)[0]
    client.force_login(staff_user(places["other_school"]))
    response = client.get(reverse("wagtailsnippets_cases_student:inspect", args=[student.pk]))
    assert response.status_code == 404
    assert not m.ReadLogEntry.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_a_listing_logs_its_page_in_one_insert(client, places, count):
    students = pupils(places["school"], count)
    client.force_login(staff_user(places["school"]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("wagtailsnippets_cases_student:list")).status_code == 200
    assert len(inserts_into_read_log(captured)) == 1
    assert sorted(m.ReadLogEntry.objects.filter(door=m.ReadDoor.ADMIN_LIST).values_list("student_id", flat=True)) \
        == sorted(s.pk for s in students)


def test_listing_query_count_is_flat(client, places):
    client.force_login(staff_user(places["school"]))
    pupils(places["school"], 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("wagtailsnippets_cases_student:list"))
    pupils(places["school"], 30, cohort=2025)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("wagtailsnippets_cases_student:list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def graphql(client, query):
    response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_graphql_logs_exactly_the_students_returned_in_one_insert(client, places):
    mine = pupils(places["school"], 5)
    pupils(places["other_school"], 2)
    registrar = staff_user(places["school"])
    client.force_login(registrar)
    with CaptureQueriesContext(connection) as captured:
        body = graphql(client, "{ students(first: 100) { edges { node { name idNumber } } } }")
    assert len(body["data"]["students"]["edges"]) == 5
    assert len(inserts_into_read_log(captured)) == 1
    rows = m.ReadLogEntry.objects.filter(door=m.ReadDoor.GRAPHQL)
    assert sorted(rows.values_list("student_id", flat=True)) == sorted(s.pk for s in mine)
    assert {r.what for r in rows} == {"字段:idNumber,name"}
    assert {r.user_id for r in rows} == {registrar.pk}


def test_graphql_archive_reads_are_logged_with_their_door(client, places):
    student = pupils(places["school"], 1)[0]
    client.force_login(staff_user(places["school"]))
    from graphql_relay import to_global_id

    body = graphql(client, '{ archive(student: "%s") { entries { edges { node { title } } } } }'
                   % to_global_id("Student", student.pk))
    assert body.get("errors") is None and body["data"]["archive"]["entries"]["edges"]
    assert m.ReadLogEntry.objects.filter(door=m.ReadDoor.GRAPHQL_ARCHIVE, student=student).count() == 1


def test_an_anonymous_api_call_reads_and_logs_nothing(client, places):
    pupils(places["school"], 2)
    body = graphql(client, "{ me { role } }")
    assert body["data"]["me"] is None
    assert not m.ReadLogEntry.objects.exists()


def test_a_certificate_pdf_is_a_logged_read(client, places):
    student = pupils(places["school"], 1)[0]
    county = staff_user(places["county"], role=Role.REVIEWER)
    certificate = certificate_issue(acting_user=county, kind=m.CertificateKind.STUDENT_CARD, student=student)
    client.force_login(county)
    response = client.get(reverse("xueji_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    entry = m.ReadLogEntry.objects.get(door=m.ReadDoor.CERTIFICATE_PDF)
    assert entry.student_id == student.pk and certificate.serial in entry.what


def test_the_api_doors_to_certificate_and_print_job_pdfs_are_logged_reads(client, places):
    """The API's download URLs (session or token) are doors to the same PDFs as the admin's:
    each download is a read of the students in it, through its door; a refused one logs nothing."""
    from cases.services.print_jobs import print_job_create, print_job_run

    students = pupils(places["school"], 2)
    county = staff_user(places["county"], role=Role.REVIEWER)
    certificates = [certificate_issue(acting_user=county, kind=m.CertificateKind.STUDENT_CARD, student=s)
                    for s in students]
    client.force_login(county)
    response = client.get(reverse("graphql_certificate_pdf", args=[certificates[0].pk]))
    assert response.status_code == 200
    entry = m.ReadLogEntry.objects.get(door=m.ReadDoor.CERTIFICATE_PDF)
    assert (entry.student_id, entry.user_id) == (students[0].pk, county.pk) and certificates[0].serial in entry.what
    job = print_job_create(acting_user=county, certificates=certificates)
    print_job_run.call(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == m.PrintJobStatus.DONE
    response = client.get(reverse("graphql_print_job_pdf", args=[job.pk]))
    assert response.status_code == 200
    assert sorted(m.ReadLogEntry.objects.filter(door=m.ReadDoor.PRINT_JOB).values_list("student_id", flat=True)) \
        == sorted(s.pk for s in students)
    before = m.ReadLogEntry.objects.count()
    client.force_login(staff_user(places["other"], role=Role.REVIEWER))
    assert client.get(reverse("graphql_certificate_pdf", args=[certificates[1].pk])).status_code == 404
    assert client.get(reverse("graphql_print_job_pdf", args=[job.pk])).status_code == 404
    assert m.ReadLogEntry.objects.count() == before


def test_the_authority_above_reviews_the_read_log_and_no_one_else(client, places):
    student = pupils(places["school"], 1)[0]
    reader = staff_user(places["school"])
    student_reads_record(acting_user=reader, students=[student], door=m.ReadDoor.EXPORT, what="花名册导出")
    url = reverse("wagtailsnippets_cases_readlogentry:list")
    client.force_login(staff_user(places["county"], role=Role.REVIEWER))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "学籍查阅记录" in text and "花名册导出" in text and "导出" in text and reader.get_full_name() in text  # staff read names, not logins
    client.force_login(staff_user(places["other"], role=Role.REVIEWER))  # another city's county
    page = client.get(url)
    assert page.status_code == 200 and "花名册导出" not in page.content.decode()
    client.force_login(reader)  # a school does not review the log
    assert client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 403


def test_the_service_refuses_an_unknown_door_and_ignores_anonymous(places):
    from django.contrib.auth.models import AnonymousUser

    student = pupils(places["school"], 1)[0]
    with pytest.raises(ValueError):
        student_reads_record(acting_user=get_user_model().objects.create_user("x"), students=[student], door="nope")
    assert student_reads_record(acting_user=AnonymousUser(), students=[student], door=m.ReadDoor.EXPORT) == 0
    assert not m.ReadLogEntry.objects.exists()


def test_an_evidence_download_through_the_api_is_a_logged_read(client, places):
    from tests.case_types.helpers import World, open_case

    student = pupils(places["school"], 1)[0]
    world = World()
    case, submitter = open_case(world, case_type="suspension", school=places["school"], student=student,
                                reason="illness", details={"hospital_county_level": True},
                                effective_on=datetime.date(2026, 3, 2), end_on=datetime.date(2026, 7, 10),
                                evidence=["parent_application"])
    document = case.evidence.get().document
    client.force_login(submitter)
    response = client.get(f"/graphql/documents/{document.pk}/")
    assert response.status_code == 200
    entry = m.ReadLogEntry.objects.get()
    assert (entry.student_id, entry.door, entry.user_id) == (student.pk, m.ReadDoor.DOCUMENT, submitter.pk)
    assert case.number in entry.what and document.title in entry.what
    client.force_login(staff_user(places["other_school"]))
    # refused (main currently answers this Http404 with a 500 through cms.middleware: reported)
    assert client.get(f"/graphql/documents/{document.pk}/").status_code != 200
    assert m.ReadLogEntry.objects.count() == 1  # a refused download logs nothing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_is_logged_while_a_case_approval_holds_the_student(places):
    """The approval of a case locks its student (SELECT … FOR UPDATE) to its end. A read of that
    student, and every read after it (the chain's lock is one for the province), must not wait
    for it: the read log keeps no database constraint whose check locks the student row."""
    import threading

    from django.db import connections, transaction

    (pupil,) = pupils(places["school"], 1)
    reader = staff_user(places["county"])
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    problems = []

    def approval():  # holds the student as cases.services.cases does during an approval
        try:
            with transaction.atomic():
                m.Student.objects.select_for_update().filter(pk=pupil.pk).values_list("pk", flat=True).first()
                held.set()
                release.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            problems.append(error)
        finally:
            done.set()
            connections.close_all()

    thread = threading.Thread(target=approval)
    thread.start()
    try:
        assert held.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a wait for the approval fails instead of hanging
        try:
            student_reads_record(acting_user=reader, students=[pupil], door=m.ReadDoor.ADMIN_STUDENT, what="学生详情")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert not done.is_set()  # the approval was still holding the student when the read was logged
    finally:
        release.set()
        thread.join(timeout=30)
    assert problems == []
    logged = m.ReadLogEntry.objects.filter(student=pupil)
    assert list(logged.values_list("user_id", "door")) == [(reader.pk, m.ReadDoor.ADMIN_STUDENT)]
    assert m.ReadLogEntry.objects.count() == 1  # nothing else written by the approval's stand-in
