import pytest
from helpers import make_measure


@pytest.fixture
def measure(org, lead):
    return make_measure(
        org["ward"], "ward-7-falls", by=lead, chart="u", multiply=1000, target=5.0, owner=lead
    )
