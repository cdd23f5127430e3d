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


@pytest.fixture
def chengguan(db):
    """兰州市城关区, a county shipped by the divisions migration."""
    return Jurisdiction.objects.get(code="620102")


@pytest.fixture
def qilihe(db):
    """兰州市七里河区: another county of the same city."""
    return Jurisdiction.objects.get(code="620103")


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
