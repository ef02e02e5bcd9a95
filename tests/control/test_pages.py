"""Pages that lead to action: home shows what needs each person, the measure list filters,
sorts and pages, the unit page leads to its measures, escalations to the board reach its
executives, and numbers read the same everywhere.

Users are those of tests/conftest.py: lead, member and partner in Ward 7, quality_lead in the
division above it, outsider in another board, admin.
"""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from helpers import make_person

from control.test_report import make_measure, open_signal, store
from qms.control import selectors
from qms.control.models import Observation, SignalStatus
from qms.control.periods import last_completed_period
from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation
from qms.notifications.models import Notification
from qms.people.roles import Role

# Values due -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "today", "due"),
    [
        ("day", dt.date(2026, 12, 1), dt.date(2026, 11, 30)),
        ("week", dt.date(2026, 12, 1), dt.date(2026, 11, 23)),  # a Tuesday: last week's Monday
        ("week", dt.date(2026, 11, 30), dt.date(2026, 11, 23)),  # a Monday: this week is open
        ("month", dt.date(2026, 12, 1), dt.date(2026, 11, 1)),
        ("month", dt.date(2026, 1, 15), dt.date(2025, 12, 1)),
        ("quarter", dt.date(2026, 12, 1), dt.date(2026, 7, 1)),
        ("quarter", dt.date(2026, 1, 1), dt.date(2025, 10, 1)),
    ],
)
def test_it_names_the_last_completed_period_of_each_frequency(frequency, today, due):
    assert last_completed_period(frequency, today) == due


def _observe(measure, period, value=5.0):
    Observation.objects.create(measure=measure, period=period, value=value)


def test_it_lists_values_due_where_the_person_records_data(org, lead, member, partner):
    today = dt.date(2026, 12, 1)
    falls = make_measure(org["ward"], "Falls")  # monthly, November missing
    _observe(falls, dt.date(2026, 10, 1))
    checks = make_measure(org["ward"], "Checks")  # up to date
    _observe(checks, dt.date(2026, 11, 1))
    new = make_measure(org["ward"], "New measure", frequency="week")  # no data at all
    elsewhere = make_measure(org["other_ward"], "Ward 8 falls")  # not the ward's
    # Days between falls with harm: a value when a fall happens, never "due".
    make_measure(org["ward"], "Days between falls", chart="g", frequency="day", unit_label="")
    due = selectors.values_due(member, today=today)
    assert [d.measure for d in due] == [new, falls]
    assert due[1].period == dt.date(2026, 11, 1) and due[1].period_text == "Nov 2026"
    assert due[1].last_text == "Oct 2026"
    assert elsewhere not in [d.measure for d in selectors.values_due(lead, today=today)]
    # Partners record no data, so nothing is due from them.
    assert selectors.values_due(partner, today=today) == []


def test_it_shows_each_person_what_needs_them_on_home(client, org, lead, quality_lead, partner):
    falls = store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    signal = open_signal(falls, since=dt.date(2026, 3, 1))
    open_signal(falls, status=SignalStatus.CLOSED)
    Escalation.objects.create(
        subject=signal, from_unit=org["ward"], to_unit=org["service"], reason="Beds"
    )
    Notification.objects.create(person=lead, text="Falls: above the limit", link="/x/")

    client.force_login(lead)
    page = client.get("/").content.decode()
    assert "What needs you" in page
    assert "Open signals in your units" in page and f"#signal-{signal.pk}" in page
    assert "since Mar 2026" in page  # the age of the run, not of the signal
    assert "Values due" in page and "no data yet" in page
    assert "Falls: above the limit" in page and "Your inbox" in page
    # The escalation went to the service, above the ward: the ward's lead is not asked.
    assert "Escalations awaiting a response" not in page

    client.force_login(quality_lead)
    page = client.get("/").content.decode()
    assert "Escalations awaiting a response" in page and "from Ward 7 to Medicine" in page

    client.force_login(partner)
    page = client.get("/").content.decode()
    assert "Falls" not in page and "Values due" not in page
    assert "Nothing is waiting for you" in page


def test_it_counts_open_signals_one_way_everywhere(org, lead):
    falls = store(make_measure(org["ward"], "Falls"), "concern_high", "fail")
    for status in (SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED, SignalStatus.ESCALATED):
        open_signal(falls, status=status)
    open_signal(falls, status=SignalStatus.CLOSED)
    retired = store(make_measure(org["ward"], "Retired", is_active=False), "concern_high")
    open_signal(retired)

    from qms.control import reports

    assert selectors.open_signals().count() == 3
    assert reports.quality_matrix(lead, org["ward"]).open_signals == 3
    assert len(reports.huddle_board(lead, org["ward"]).signals) == 3
    assert selectors.home_work(lead).signal_count == 3
    assert list(selectors.measures_in(lead, org["ward"]))[0].open_signals == 3


# Escalations reach the board --------------------------------------------------------------------


def test_it_tells_the_board_executives_when_an_escalation_reaches_the_top(org, admin):
    make_person("executive", (Role.EXECUTIVE, org["board"]))
    division_lead = make_person("dlead", (Role.QUALITY_LEAD, org["division"]))
    elsewhere = make_person("elsewhere", (Role.EXECUTIVE, org["elsewhere"]))
    falls = store(make_measure(org["division"], "Falls"), "concern_high")
    signal = open_signal(falls)

    escalation_services.escalate(by=admin, subject=signal, reason="Needs the board's decision")

    told = set(
        Notification.objects.filter(signal=signal).values_list("person__username", flat=True)
    )
    assert "executive" in told
    assert "elsewhere" not in told and elsewhere.username not in told
    assert division_lead.username not in told  # the board was asked, not the division


def test_it_does_not_tell_executives_of_escalations_below_the_top(org, lead):
    executive = make_person("executive", (Role.EXECUTIVE, org["board"]))
    service_lead = make_person("slead", (Role.TEAM_LEAD, org["service"]))
    falls = store(make_measure(org["ward"], "Falls"), "concern_high")
    signal = open_signal(falls)

    escalation_services.escalate(by=lead, subject=signal, reason="Staffing")

    told = set(Notification.objects.filter(signal=signal).values_list("person", flat=True))
    assert service_lead.pk in told and executive.pk not in told


# The measure list --------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return re.findall(r'<a href="/control/measures/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def measures(org, lead):
    owner = make_person("owner", (Role.TEAM_MEMBER, org["ward"]), display_name="Olive Owner")
    falls = store(make_measure(org["ward"], "Falls", domain="safe"), "concern_high", "fail", 7.5)
    falls.owner = owner
    falls.save()
    open_signal(falls)
    store(make_measure(org["ward"], "Hand hygiene", domain="effective"), "improvement_high", "pass")
    store(make_measure(org["other_ward"], "Discharges", domain="timely"), "common_cause")
    make_measure(org["other_ward"], "New measure", domain="timely")  # no results yet
    return {"falls": falls, "owner": owner}


def test_it_filters_the_measure_list(client, org, quality_lead, measures):
    client.force_login(quality_lead)
    url = f"/control/units/{org['service'].pk}/measures/"
    assert sorted(_names(client.get(url))) == ["Discharges", "Falls", "Hand hygiene", "New measure"]
    assert _names(client.get(url, {"unit": org["other_ward"].pk, "sort": "name"})) == [
        "Discharges",
        "New measure",
    ]
    assert _names(client.get(url, {"domain": "effective"})) == ["Hand hygiene"]
    assert _names(client.get(url, {"variation": "concern"})) == ["Falls"]
    assert _names(client.get(url, {"assurance": "pass"})) == ["Hand hygiene"]
    assert _names(client.get(url, {"variation": "none"})) == ["New measure"]
    assert _names(client.get(url, {"owner": measures["owner"].pk})) == ["Falls"]
    assert _names(client.get(url, {"q": "hygiene"})) == ["Hand hygiene"]
    response = client.get(url, {"q": "nothing like it"})
    assert "No measures match the filters" in response.content.decode()


def test_it_sorts_the_measure_list_open_signals_first_by_default(
    client, org, quality_lead, measures
):
    client.force_login(quality_lead)
    url = f"/control/units/{org['service'].pk}/measures/"
    assert _names(client.get(url))[0] == "Falls"
    assert _names(client.get(url, {"sort": "name"})) == [
        "Discharges",
        "Falls",
        "Hand hygiene",
        "New measure",
    ]


def test_it_refuses_a_filter_it_does_not_know_with_a_message(client, org, quality_lead, measures):
    client.force_login(quality_lead)
    url = f"/control/units/{org['service'].pk}/measures/"
    response = client.get(url, {"unit": org["elsewhere"].pk, "sort": "sideways"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Unit: Select a valid choice" in page and "Order: Select a valid choice" in page
    assert client.get(url, {"unit": "abc"}).status_code == 400


def test_it_pages_the_measure_list_keeping_the_filters(client, org, lead, monkeypatch):
    from qms.control import views

    monkeypatch.setattr(views, "MEASURES_PER_PAGE", 2)
    for k in range(5):
        make_measure(org["ward"], f"Measure {k}")
    client.force_login(lead)
    url = f"/control/units/{org['ward'].pk}/measures/"
    first = client.get(url, {"sort": "name"})
    assert _names(first) == ["Measure 0", "Measure 1"]
    assert "Measures 1 to 2 of 5" in first.content.decode()
    assert 'href="?sort=name&amp;page=2"' in first.content.decode()
    assert _names(client.get(url, {"sort": "name", "page": 3})) == ["Measure 4"]
    assert _names(client.get(url, {"sort": "name", "page": "999"})) == ["Measure 4"]


@pytest.mark.parametrize(("who", "shown"), [("lead", True), ("member", True)])
def test_it_offers_upload_only_to_those_who_may_upload(client, org, as_user, who, shown):
    as_user(who)
    page = client.get(f"/control/units/{org['ward'].pk}/measures/").content.decode()
    assert ("Upload data" in page) is shown


def test_it_does_not_offer_upload_to_an_executive(client, org):
    executive = make_person("executive", (Role.EXECUTIVE, org["board"]))
    client.force_login(executive)
    page = client.get(f"/control/units/{org['ward'].pk}/measures/").content.decode()
    assert "Upload data" not in page
    assert client.get("/control/upload/").status_code == 403


# Unit pages and the navigation -------------------------------------------------------------------


def test_it_links_a_unit_page_to_its_measures_report_and_huddle(client, org, lead, partner):
    client.force_login(lead)
    ward = org["ward"].pk
    page = client.get(f"/units/{ward}/").content.decode()
    for url in (
        f"/control/units/{ward}/measures/",
        f"/control/units/{ward}/report/",
        f"/control/units/{ward}/huddle/",
    ):
        assert f'href="{url}"' in page
    client.force_login(partner)
    page = client.get(f"/units/{ward}/").content.decode()
    assert "/control/units/" not in page


def test_it_links_a_partner_name_only_for_those_who_may_open_it(client, org, lead, member, partner):
    client.force_login(member)
    page = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert f'href="/people/{partner.pk}/"' not in page and "Partner" in page
    assert f'href="/people/{lead.pk}/"' in page
    client.force_login(lead)  # leads manage the ward's partners
    page = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert f'href="/people/{partner.pk}/"' in page


def test_it_shows_control_in_the_navigation_only_to_staff(client, org, member, partner):
    client.force_login(partner)
    assert 'href="/control/"' not in client.get("/").content.decode()
    client.force_login(member)
    assert 'href="/control/"' in client.get("/").content.decode()


# Numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label", "shown"),
    [
        (78.378378, "%", "78.4%"),
        (78.38, "%", "78.4%"),
        (5.2345, " per 1,000 bed days", "5.23 per 1,000 bed days"),
        (12, "patients", "12 patients"),
        (1234.6, "", "1,235"),
        (0.01234, "", "0.0123"),
        (None, "%", "–"),
    ],
)
def test_it_shows_a_value_one_way(value, label, shown):
    template = Template("{% load control_tags %}{{ value|measure_value:label }}")
    assert template.render(Context({"value": value, "label": label})) == shown


def test_it_shows_the_same_number_in_the_table_headline_report_and_huddle(client, org, lead):
    from helpers import record

    measure = make_measure(org["ward"], "Hand hygiene", chart="p", multiply=100.0)
    values = [78.378378 * 10] * 12
    record(measure, values, denominator=1000.0)
    client.force_login(lead)
    pages = {
        "measure": client.get(f"/control/measures/{measure.pk}/"),
        "list": client.get(f"/control/units/{org['ward'].pk}/measures/"),
        "report": client.get(f"/control/units/{org['ward'].pk}/report/"),
        "huddle": client.get(f"/control/units/{org['ward'].pk}/huddle/"),
    }
    for name, response in pages.items():
        # What people read, not the chart's data (its tooltips format the numbers themselves).
        page = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
        assert "78.4%" in page, name
        assert "78.378" not in page and "78.38%" not in page, name


def test_it_gives_each_form_of_the_measure_page_its_own_ids(client, org, lead):
    measure = make_measure(org["ward"], "Falls")
    from helpers import record

    record(measure, [5.0, 6.0, 7.0])
    client.force_login(lead)
    page = client.get(f"/control/measures/{measure.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates
    assert '<label for="annotation-period">Period</label>' in page
    assert 'id="annotation-period"' in page and 'id="observation-period"' in page
    # The fields keep their names, so posting works as before.
    assert 'name="period"' in page and 'name="reason"' in page


def test_it_lets_the_board_executives_answer_what_reached_the_board(client, org, admin, member):
    executive = make_person("executive", (Role.EXECUTIVE, org["board"]))
    falls = store(make_measure(org["division"], "Falls"), "concern_high")
    signal = open_signal(falls)
    escalation = escalation_services.escalate(by=admin, subject=signal, reason="Board decision")
    client.force_login(executive)

    page = client.get(f"/control/measures/{falls.pk}/").content.decode()
    assert f'action="/escalations/{escalation.pk}/respond/"' in page
    response = client.post(
        f"/escalations/{escalation.pk}/respond/",
        {"decision": "accept", "response": "The board will fund the beds."},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "accepted" and escalation.responded_by == executive


def test_it_does_not_let_an_executive_answer_an_escalation_outside_their_units(org, admin):
    from django.core.exceptions import PermissionDenied

    elsewhere = make_person("elsewhere", (Role.EXECUTIVE, org["elsewhere"]))
    falls = store(make_measure(org["division"], "Falls"), "concern_high")
    escalation = escalation_services.escalate(by=admin, subject=open_signal(falls), reason="Beds")
    with pytest.raises(PermissionDenied):
        escalation_services.escalation_respond(
            by=elsewhere, escalation=escalation, decision="accept", response="Ours"
        )
    escalation.refresh_from_db()
    assert escalation.status == "open"
