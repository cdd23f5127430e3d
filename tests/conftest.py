import os

import pytest

from cases.models import Jurisdiction


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` are skipped before their set-up on another database: a
    transactional set-up there costs time and proves nothing."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def other_sessions_ended(seconds=60):
    """Wait until no other session is connected to the test database. A subprocess's backend
    (pg_dump, psql, manage.py, gunicorn, a thread's connection) ends on its own after the process
    exits, but late on a loaded machine, and PostgreSQL's DROP DATABASE waits only 5 seconds: the
    test database's teardown then fails with "is being accessed by other users". One that is
    still there after ``seconds`` is terminated, and named in a warning."""
    import time
    import warnings

    from django.db import connection

    sql = ("SELECT pid, application_name, state FROM pg_stat_activity "
           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql)
            others = cursor.fetchall()
            if not others:
                return
            if time.monotonic() > deadline:
                cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({sql}) AS others")
                warnings.warn(f"sessions still on the test database, terminated: {others}")
                return
            time.sleep(0.2)


@pytest.fixture(autouse=True)
def _no_session_left_behind(request, django_db_blocker):
    """Tests marked ``postgres`` start processes and threads with their own connections: none
    of them outlives the test (see ``other_sessions_ended``)."""
    yield
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.needs_rollback:
        with django_db_blocker.unblock():
            other_sessions_ended()


@pytest.fixture
def chengguan(db):
    """兰州市城关区, a county shipped by the divisions migration."""
    return Jurisdiction.objects.get(code="620102")


@pytest.fixture
def qilihe(db):
    """兰州市七里河区: another county of the same city."""
    return Jurisdiction.objects.get(code="620103")


@pytest.fixture
def school(chengguan):
    """A junior secondary school of 城关区 (test modules may define their own)."""
    from tests.factories import SchoolFactory

    return SchoolFactory(category="1", county=chengguan)


@pytest.fixture
def other_school(qilihe):
    """A school of another county, 七里河区."""
    from tests.factories import SchoolFactory

    return SchoolFactory(category="1", county=qilihe)


@pytest.fixture
def tianshui_qinzhou(db):
    """天水市秦州区: a county of another city."""
    return Jurisdiction.objects.get(code="620502")


@pytest.fixture
def lanzhou(db):
    return Jurisdiction.objects.get(code="6201")


@pytest.fixture
def tianshui(db):
    return Jurisdiction.objects.get(code="6205")


@pytest.fixture
def gansu(db):
    return Jurisdiction.objects.get(code="62")
