import pytest

from cases.models import Jurisdiction


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
