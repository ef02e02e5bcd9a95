import pytest

from qms.control import services


@pytest.fixture
def measure(org, lead):
    return services.measure_create(
        by=lead,
        unit=org["ward"],
        name="Falls per 1,000 bed days",
        code="ward-7-falls",
        kind="outcome",
        domain="safe",
        operational_definition="Inpatient falls, any harm, per 1,000 occupied bed days.",
        frequency="month",
        chart="u",
        multiply=1000,
        unit_label=" per 1,000 bed days",
        direction="decrease",
        target=5.0,
        owner=lead,
    )
