"""Home's "Your planning" card: the priorities a person owns or works on and the needs
assessments given to them, so a partner given one finds it; nothing for others."""

from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import PriorityOrigin


def _priority(unit, by, **fields):
    return services.priority_create(
        by=by,
        unit=unit,
        title="Night-time falls",
        problem="Falls rose.",
        origin=PriorityOrigin.STRATEGY,
        **fields,
    )


def test_it_shows_a_partner_the_priority_and_assessment_given_to_them(client, org, lead, partner):
    priority = _priority(org["ward"], lead)
    assessment = services.assessment_create(
        by=lead, unit=org["ward"], title="Older people at home", population="Over-75s"
    )
    for record in (priority, assessment):
        people_services.grant_give(by=lead, record=record, person=partner, role=Role.PARTNER)
    client.force_login(partner)
    html = client.get("/").content.decode()
    assert "Your planning" in html
    assert priority.get_absolute_url() in html and assessment.get_absolute_url() in html


def test_it_shows_the_owner_their_open_priority(client, org, lead, member):
    priority = _priority(org["ward"], lead, owner=member)
    client.force_login(member)
    assert priority.get_absolute_url() in client.get("/").content.decode()


def test_it_shows_no_card_to_someone_with_nothing_and_hides_others_priorities(
    client, org, lead, outsider
):
    priority = _priority(org["ward"], lead)
    client.force_login(outsider)
    html = client.get("/").content.decode()
    assert "Your planning" not in html and priority.get_absolute_url() not in html
