import pytest

from tests.case_types.helpers import World


@pytest.fixture
def world(db):
    return World()
