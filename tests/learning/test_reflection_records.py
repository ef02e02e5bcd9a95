"""Reflect on this, on other areas' pages: a signal on its measure's page (links only, no query
per signal), a PDSA cycle; a reflection and a review about a signal; a review of an escalation
shows on the escalated record's page."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_measure, record

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import DAY, write
from qms.control.models import Signal
from qms.escalation import services as escalation_services
from qms.learning.services import reflection as services
from qms.people import services as people_services
from qms.people.roles import Role

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]
ANSWERS = {"expected": "a", "happened": "b", "why_different": "c", "will_do": "d"}


@pytest.fixture
def signal(org):
    measure = make_measure(org["ward"], "ward-falls")
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    return Signal.objects.get(measure=measure)


def test_it_offers_reflection_and_review_on_a_signal_to_the_units_staff(client, member, signal):
    client.force_login(member)
    page = client.get(signal.measure.get_absolute_url())
    reference = f"control.signal%3A{signal.pk}"
    assert f"/learn/reflections/new/?subject={reference}" in page.text
    assert f"?subject={reference}" in page.text and "Hold a learning review" in page.text
    response = client.get(f"/learn/reflections/new/?subject=control.signal:{signal.pk}")
    assert response.status_code == 200
    reflection = write(member, subject=signal)
    assert reflection.subject == signal


def test_it_offers_no_review_on_a_signal_to_a_partner_given_the_measure(client, org, signal):
    from helpers import make_person

    guest = make_person("guest")
    people_services.grant_give(by=None, record=signal.measure, person=guest, role=Role.PARTNER)
    client.force_login(guest)
    page = client.get(signal.measure.get_absolute_url())
    if page.status_code == 200:  # the measure page lets a partner given the measure in
        assert "Hold a learning review" not in page.text


def test_it_shows_a_review_of_an_escalation_on_the_escalated_records_page(
    client, org, lead, member, issue, quality_lead
):
    escalation = escalation_services.escalate(by=lead, subject=issue, reason="Beyond the ward")
    review = services.review_create(
        by=member, unit=org["ward"], title="After the escalation", held_on=DAY,
        subject=escalation, **ANSWERS,
    )  # fmt: skip
    client.force_login(member)
    assert review.title in client.get(issue.get_absolute_url()).text
    page = client.get(review.get_absolute_url())
    assert issue.title in page.text


def test_it_reads_the_issue_page_in_the_same_queries_whatever_the_reflections(
    client, django_assert_max_num_queries, nurse, issue, org, member
):
    write(nurse, subject=issue)
    client.force_login(nurse)
    with django_assert_max_num_queries(200) as few:
        client.get(issue.get_absolute_url())
    for n in range(15):
        write(nurse, title=f"R{n}", subject=issue)
        services.review_create(
            by=member, unit=org["ward"], title=f"V{n}", held_on=DAY, subject=issue, **ANSWERS
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(issue.get_absolute_url()).status_code == 200


def test_it_lets_the_author_reflect_on_a_pdsa_cycle_page(client, org, lead):
    from qms.improvement.models import DriverNode, NodeKind, PdsaCycle, Project

    project = Project.objects.create(
        unit=org["ward"], title="P", problem="x", aim="Fewer falls by 2027.", lead=lead
    )
    aim = DriverNode.objects.create(project=project, kind=NodeKind.AIM, text=project.aim)
    idea = DriverNode.objects.create(
        project=project, parent=aim, kind=NodeKind.CHANGE_IDEA, text="Handover line"
    )
    cycle = PdsaCycle.objects.create(
        project=project,
        change_idea=idea,
        number=1,
        title="Test on nights",
        objective="Try the handover line.",
        starts_on=DAY,
        ends_on=DAY,
    )
    client.force_login(lead)
    page = client.get(cycle.get_absolute_url())
    assert page.status_code == 200
    assert f"subject=improvement.pdsacycle%3A{cycle.pk}" in page.text
    url = reverse("learning:reflection-create") + f"?subject=improvement.pdsacycle:{cycle.pk}"
    assert client.get(url).status_code == 200
