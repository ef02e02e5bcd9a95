"""Measure pages, data entry, signals and escalation: who may and who may not."""

import datetime as dt

import pytest
from django.test import TestCase
from helpers import ANONYMOUS, make_measure, make_person, record

from qms.control import services
from qms.control.models import (
    Observation,
    Signal,
    SignalStatus,
    Standard,
)
from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation
from qms.notifications.models import Notification
from qms.people import services as people_services
from qms.people.roles import Role

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


@pytest.fixture
def signal(measure):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    return Signal.objects.get(measure=measure)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403),
     ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_it_shows_the_measures_of_a_unit_to_its_staff_only(
    client, as_user, org, measure, who, status
):
    as_user(who)
    response = client.get(f"/control/units/{org['ward'].pk}/measures/")
    assert response.status_code == status
    if status == 200:
        assert measure.name in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("member", 200), ("quality_lead", 200), ("partner", 403),
     ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_it_shows_a_measure_page_to_staff_only(client, as_user, measure, who, status):
    record(measure, STABLE)
    as_user(who)
    response = client.get(f"/control/measures/{measure.pk}/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Operational definition" in html
        assert 'id="spc-spec"' in html  # the chart's specification, for vega-embed
        assert "Jan 2024" in html  # the data table


def test_it_lets_a_member_record_a_value_and_the_chart_follows(client, member, measure):
    record(measure, STABLE)
    client.force_login(member)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/control/measures/{measure.pk}/observations/",
            {"period": "2025-09", "value": "7", "denominator": "1000", "note": "Audit week"},
        )
    assert response.status_code == 302
    observation = Observation.objects.get(measure=measure, period=dt.date(2025, 9, 1))
    assert observation.note == "Audit week"
    assert measure.result.__class__.objects.get(measure=measure).last_period == dt.date(2025, 9, 1)


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("outsider", 404)])
def test_it_refuses_data_entry_to_those_without_a_role(client, as_user, measure, who, status):
    as_user(who)
    response = client.post(
        f"/control/measures/{measure.pk}/observations/",
        {"period": "2025-09", "value": "7", "denominator": "1000"},
    )
    assert response.status_code == status
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"period": "March", "value": "3", "denominator": "100"}, "is not a period"),
        ({"period": "2025-03", "value": "lots", "denominator": "100"}, "Enter a number"),
        ({"period": "2025-03", "value": "3"}, "This field is required"),
        ({"period": "2025-03", "value": "-3", "denominator": "100"}, "cannot be negative"),
    ],
)
def test_it_names_the_field_of_a_bad_value_and_saves_nothing(
    client, member, measure, form, message
):
    client.force_login(member)
    response = client.post(f"/control/measures/{measure.pk}/observations/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Observation.objects.exists()


def test_it_replaces_a_value_only_when_confirmed_and_keeps_the_old_one(client, member, measure):
    record(measure, [6], start=dt.date(2025, 3, 1))
    client.force_login(member)
    url = f"/control/measures/{measure.pk}/observations/"
    refused = client.post(url, {"period": "2025-03", "value": "9", "denominator": "1000"})
    assert refused.status_code == 400
    assert "confirm to replace it" in refused.content.decode()
    assert Observation.objects.get().value == 6
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            url,
            {"period": "2025-03", "value": "9", "denominator": "1000", "replace": "on",
             "reason": "Datix backlog counted late"},
        )  # fmt: skip
    observation = Observation.objects.get()
    assert observation.value == 9
    old, new = observation.history.order_by("history_date")
    assert (old.value, new.value) == (6, 9)
    assert new.history_change_reason == "Datix backlog counted late"
    assert new.history_user == member


def test_it_removes_a_value_only_with_a_reason(client, member, measure):
    record(measure, [6], start=dt.date(2025, 3, 1))
    observation = Observation.objects.get()
    client.force_login(member)
    client.post(f"/control/observations/{observation.pk}/delete/", {"reason": ""})
    assert Observation.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/control/observations/{observation.pk}/delete/", {"reason": "Wrong ward"})
    assert not Observation.objects.exists()
    assert observation.history.latest().history_change_reason == "Wrong ward"


@pytest.mark.parametrize(
    ("who", "allowed"), [("lead", True), ("member", False), ("quality_lead", True)]
)
def test_it_lets_leads_but_not_members_acknowledge_a_signal(client, as_user, signal, who, allowed):
    as_user(who)
    client.post(f"/control/signals/{signal.pk}/acknowledge/", {"note": "Reviewed at huddle"})
    signal.refresh_from_db()
    assert (signal.status == SignalStatus.ACKNOWLEDGED) is allowed


def test_it_escalates_up_two_levels_and_back(client, org, lead, signal):
    service_lead = make_person("servicelead", (Role.TEAM_LEAD, org["service"]))
    division_lead = make_person("divisionlead", (Role.QUALITY_LEAD, org["division"]))

    client.force_login(lead)
    client.post(f"/control/signals/{signal.pk}/escalate/", {"reason": "Needs a bed policy change"})
    first = Escalation.objects.get()
    assert (first.from_unit, first.to_unit) == (org["ward"], org["service"])
    assert Notification.objects.filter(person=service_lead, signal=signal).exists()

    client.force_login(service_lead)
    client.post(f"/control/signals/{signal.pk}/escalate/", {"reason": "Division-wide staffing"})
    second = Escalation.objects.latest("pk")
    assert (second.from_unit, second.to_unit) == (org["service"], org["division"])
    first.refresh_from_db()
    assert first.status == "escalated"
    assert Notification.objects.filter(person=division_lead, signal=signal).exists()

    # The ward sees the chain and where it stands.
    client.force_login(lead)
    html = client.get(f"/control/measures/{signal.measure_id}/").content.decode()
    assert "Escalated from <strong>Medicine</strong> to <strong>Acute Division</strong>" in html
    # The division sees it among the escalations into its units.
    client.force_login(division_lead)
    listing = client.get(f"/control/units/{org['division'].pk}/measures/").content.decode()
    assert "from Medicine to Acute Division" in listing

    client.post(
        f"/escalations/{second.pk}/respond/",
        {"decision": "return", "response": "Use the winter staffing plan; back to the ward"},
    )
    second.refresh_from_db()
    signal.refresh_from_db()
    assert second.status == "returned"
    assert signal.status == SignalStatus.ACKNOWLEDGED
    assert Notification.objects.filter(person=service_lead, text__contains="returned").exists()


def test_it_refuses_an_escalation_response_from_the_team_that_escalated(client, org, lead, signal):
    make_person("servicelead", (Role.TEAM_LEAD, org["service"]))
    escalation_services.escalate(by=lead, subject=signal, reason="Outside our control")
    escalation = Escalation.objects.get()
    client.force_login(lead)
    response = client.post(
        f"/escalations/{escalation.pk}/respond/",
        {"decision": "resolve", "response": "Answering our own escalation"},
    )
    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.status == "open"


def test_it_cannot_escalate_above_the_board(org, signal, admin):
    board_signal = signal
    board_signal.escalations.create(
        from_unit=org["division"], to_unit=org["board"], reason="x", created_by=admin
    )
    with pytest.raises(services.ValidationError, match="top of the organisation"):
        escalation_services.escalate(by=admin, subject=board_signal, reason="Higher still")


def test_the_inbox_lists_signals_and_marks_them_read(client, lead, signal):
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    assert signal.explanation[:30] in html
    assert "unread" in client.get("/").content.decode()
    client.post("/inbox/")
    assert not Notification.objects.filter(person=lead, read_at__isnull=True).exists()


def test_it_needs_a_login_for_the_inbox(client, db):
    assert client.get("/inbox/").status_code == 302


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 200), ("member", 403), ("partner", 403), ("outsider", 404)]
)
def test_it_lets_only_editors_define_measures(client, as_user, org, who, status):
    as_user(who)
    assert client.get(f"/control/units/{org['ward'].pk}/measures/new/").status_code == status


def test_it_defines_a_measure_from_the_form(client, org, lead):
    client.force_login(lead)
    response = client.post(
        f"/control/units/{org['ward'].pk}/measures/new/",
        {
            "name": "Hand hygiene compliance", "code": "w7-hand-hygiene", "kind": "process",
            "domain": "safe", "operational_definition": "Observed opportunities with hand hygiene.",
            "frequency": "month", "chart": "p", "direction": "increase", "multiply": "100",
            "unit_label": "%", "target": "95", "rules": "mdc", "shift_length": "7",
            "trend_length": "21",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 20." in response.content.decode()


def test_it_shows_the_latest_periods_and_the_rest_on_request(client, member, measure):
    record(measure, STABLE + STABLE[:10])  # 30 months from January 2024
    client.force_login(member)
    html = client.get(f"/control/measures/{measure.pk}/").content.decode()
    assert "Show the 4 earlier periods too" in html
    assert "Jan 2024" not in html and "Jun 2026" in html
    everything = client.get(f"/control/measures/{measure.pk}/?periods=all").content.decode()
    assert "Jan 2024" in everything and "earlier periods" not in everything


def test_the_standards_library_shows_only_measures_of_ones_own_units(
    client, org, measure, outsider
):
    standard = Standard.objects.create(
        code="falls", title="Falls prevention", statement="People at risk are assessed.",
        source="A national body", scope="national",
    )  # fmt: skip
    measure.standard = standard
    measure.save()
    client.force_login(outsider)
    html = client.get("/control/standards/").content.decode()
    assert "Falls prevention" in html and measure.name not in html
    client.force_login(measure.owner)
    assert measure.name in client.get("/control/standards/").content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("quality_lead", 200), ("member", 403), ("partner", 403), ("outsider", 404),
     (ANONYMOUS, 302)],
)  # fmt: skip
def test_it_lets_leads_agree_a_local_standard(client, as_user, org, who, status):
    as_user(who)
    url = f"/control/units/{org['ward'].pk}/standards/new/"
    assert client.get(url).status_code == status
    form = {
        "title": "Call bells answered within 2 minutes", "code": "ward-7-call-bells",
        "statement": "Call bells are answered within two minutes.", "source": "Ward 7 meeting",
    }  # fmt: skip
    client.post(url, form)
    standards = Standard.objects.filter(code="ward-7-call-bells")
    assert standards.exists() is (status == 200)
    if status == 200:
        standard = standards.get()
        assert (standard.scope, standard.unit) == ("local", org["ward"])
        duplicate = client.post(url, form)
        assert duplicate.status_code == 400
        assert "already exists" in duplicate.content.decode()


# Speed: a fixed number of queries ---------------------------------------------------------------


def _signals_with_issues_and_escalations(measure, count, *, lead, quality_lead):
    """`count` open signals, each with an issue and escalated twice (ward, service, division)."""
    for k in range(count):
        signal = Signal.objects.create(
            measure=measure,
            kind="concern",
            first_period=dt.date(2025, 1, 1),
            last_period=dt.date(2025, 2, 1),
            explanation=f"Signal {k}",
        )
        services.signal_link_issue(by=lead, signal=signal, title=f"Issue {k}")
        escalation_services.escalate(by=lead, subject=signal, reason="Beds")
        escalation_services.escalate(by=quality_lead, subject=signal, reason="Staffing")


def _page_queries(client, measure) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(measure.get_absolute_url())
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["lead", "member"])
def test_it_reads_a_measure_page_in_the_same_queries_whatever_its_signals(
    client, as_user, org, lead, quality_lead, who
):
    few, many = (make_measure(org["ward"], f"measure-{k}") for k in (1, 2))
    for measure in (few, many):
        record(measure, STABLE)
    _signals_with_issues_and_escalations(few, 1, lead=lead, quality_lead=quality_lead)
    _signals_with_issues_and_escalations(many, 21, lead=lead, quality_lead=quality_lead)
    as_user(who)
    _page_queries(client, few)  # the rows and chart are cached after the first read
    _page_queries(client, many)
    assert _page_queries(client, many) == _page_queries(client, few)


def test_it_lets_a_person_granted_a_role_on_one_measure_record_its_values_only(
    client, org, lead, measure
):
    visitor = make_person("visitor")
    people_services.grant_give(by=lead, record=measure, person=visitor, role=Role.TEAM_MEMBER)
    neighbour = make_measure(org["ward"], "neighbour")
    client.force_login(visitor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/control/measures/{measure.pk}/observations/",
            {"period": "2025-09", "value": "7", "denominator": "1000"},
        )
    assert response.status_code == 302
    assert Observation.objects.filter(measure=measure).count() == 1
    response = client.post(
        f"/control/measures/{neighbour.pk}/observations/", {"period": "2025-09", "value": "7"}
    )
    assert response.status_code == 404
    assert not Observation.objects.filter(measure=neighbour).exists()
