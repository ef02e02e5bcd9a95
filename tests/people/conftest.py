"""Records to give roles on: a measure in the ward and one in the other ward, and a visitor with
no role anywhere in the test board."""

import pytest
from helpers import make_measure, make_person


@pytest.fixture
def measure(org):
    return make_measure(org["ward"], "ward-falls")


@pytest.fixture
def other_measure(org):
    return make_measure(org["other_ward"], "other-ward-falls")


@pytest.fixture
def visitor(org):
    """An improvement coach from elsewhere, with no role in the test board's units."""
    return make_person("visitor", job_title="Improvement coach")
