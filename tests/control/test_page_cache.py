"""Built report bodies are kept in the cache under the report's version
(reports.report_version): reused while nothing changed, never shown once something did."""

import datetime as dt

from helpers import record

from qms.control import reports, services
from qms.control.models import Signal

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def _report(client, unit, query="") -> str:
    response = client.get(f"/control/units/{unit.pk}/report/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_builds_the_report_once_per_version(client, org, lead, member, measure, monkeypatch):
    record(measure, STABLE)
    built = []
    real = reports.quality_matrix
    monkeypatch.setattr(
        reports, "quality_matrix", lambda *a, **kw: built.append(1) or real(*a, **kw)
    )
    client.force_login(lead)
    first = _report(client, org["ward"])
    client.force_login(member)  # another person who sees the same report
    again = _report(client, org["ward"])
    assert len(built) == 1
    assert measure.name in again and again.count("report-cell-list") == first.count(
        "report-cell-list"
    )
    _report(client, org["ward"], "?domain=timely")  # other filters: another report
    assert len(built) == 2


def test_it_shows_new_results_at_once(client, org, lead, measure):
    record(measure, STABLE)
    client.force_login(lead)
    assert "Special cause concern" in _report(client, org["ward"])
    assert "0</strong> need" in _report(client, org["ward"])  # nothing needs attention
    record(measure, [25], start=dt.date(2025, 9, 1))  # far above the limits: a concern

    page = _report(client, org["ward"])

    assert "1</strong> needs attention" in page
    assert "1 open signal" in page


def test_it_shows_a_closed_signal_and_a_renamed_measure_at_once(client, org, lead, measure):
    record(measure, [*STABLE, 25])
    client.force_login(lead)
    assert "1 open signal" in _report(client, org["ward"])

    services.signal_close(by=lead, signal=Signal.objects.get(), note="Explained: a new scale.")
    assert "1 open signal" not in _report(client, org["ward"])

    services.measure_update(by=lead, measure=measure, name="Falls (all wards)", reason="Name")
    assert "Falls (all wards)" in _report(client, org["ward"])
