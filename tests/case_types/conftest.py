import pytest

from tests.factories import assert_current_registrations

from .helpers import World


@pytest.fixture
def world(db):
    world = World()
    yield world
    # Whatever a case did (transfer, dropout, graduation, death, abroad, suspension…), the
    # students' maintained current registration still agrees with their history.
    assert_current_registrations()
