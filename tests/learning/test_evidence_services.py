"""The evidence library's services and selectors: the one visibility rule, the rules of
citing, history, and that linking works for any record with a unit (a learning network)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from learning.evidence_support import *  # noqa: F403
from learning.evidence_support import add_item
from qms.learning import selectors, services
from qms.learning.models import EvidenceLink, LearningReview, Network
from qms.people import services as people_services
from qms.people.roles import Role

pytestmark = pytest.mark.django_db


def titles(queryset):
    return set(queryset.values_list("title", flat=True))


def test_staff_read_their_whole_organisations_library_and_nothing_else(
    org, member, outsider, admin
):
    add_item(org["board"], title="Board item")
    add_item(org["other_service"], title="Surgery item")
    add_item(org["elsewhere"], title="Other board item")
    assert titles(selectors.evidence_visible_to(member)) == {"Board item", "Surgery item"}
    assert titles(selectors.evidence_visible_to(outsider)) == {"Other board item"}
    assert len(titles(selectors.evidence_visible_to(admin))) == 3


def test_partners_read_only_the_items_cited_by_work_they_are_given(
    org, partner, team_partner, change_idea, package, design, priority
):
    for n, record in enumerate([change_idea, package, priority]):
        item = add_item(org["board"], title=f"Cited {n}")
        services.evidence_link(by=None, evidence=item, record=record)
    add_item(org["board"], title="Not cited")
    # A role on the project reaches its change ideas and packages, not the ward's priority.
    assert titles(selectors.evidence_visible_to(team_partner)) == {"Cited 0", "Cited 1"}
    assert titles(selectors.evidence_visible_to(partner)) == set()
    designer = make_person("designer", professional_group="public")
    people_services.grant_give(by=None, record=priority, person=designer, role=Role.PARTNER)
    on_design = add_item(org["board"], title="Cited by the design")
    services.evidence_link(by=None, evidence=on_design, record=design)
    assert titles(selectors.evidence_visible_to(designer)) == {"Cited 2", "Cited by the design"}


def test_only_evidence_editors_of_its_unit_add_change_and_retire(org, lead, member, board_analyst):
    with pytest.raises(PermissionDenied):
        add_item_by(member, org["ward"])
    with pytest.raises(PermissionDenied):
        add_item_by(lead, org["board"])
    item = add_item_by(board_analyst, org["board"])
    with pytest.raises(PermissionDenied):
        services.evidence_update(by=lead, evidence=item, title="Changed")
    with pytest.raises(PermissionDenied):
        services.evidence_retire(by=lead, evidence=item, reason="No")
    services.evidence_update(by=board_analyst, evidence=item, certainty="high", reason="New trial")
    services.evidence_retire(by=board_analyst, evidence=item, reason="Superseded")
    item.refresh_from_db()
    reasons = [h.history_change_reason for h in item.history.order_by("history_id")]
    assert reasons == ["Added", "New trial", "Retired: Superseded"]
    with pytest.raises(ValidationError):
        services.evidence_update(by=board_analyst, evidence=item, title="While retired")


def add_item_by(person, unit):
    return services.evidence_create(
        by=person,
        unit=unit,
        title="An item",
        kind="trial",
        source="A source",
        summary="A summary",
        certainty="low",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"certainty": "certain"}, "certainty"),
        ({"published_on": dt.date(9999, 1, 1)}, "published_on"),
        ({"published_on": "2020-01-01"}, "published_on"),
        ({"url": "ftp://example.org"}, "url"),
        ({"title": "  "}, "title"),
        ({"summary": "x" * 5001}, "summary"),
        ({"source": 42}, "source"),
    ],
)
def test_it_names_the_field_of_bad_input(org, fields, field):
    with pytest.raises(ValidationError) as error:
        add_item(org["board"], **fields)
    assert field in error.value.message_dict


def test_citing_needs_the_right_to_change_the_record_and_to_read_the_item(
    org, lead, member, package, elsewhere_item, board_item
):
    with pytest.raises(PermissionDenied):
        services.evidence_link(by=member, evidence=board_item, record=package)
    with pytest.raises(PermissionDenied):
        services.evidence_link(by=lead, evidence=elsewhere_item, record=package)
    link = services.evidence_link(by=lead, evidence=board_item, record=package, note="Why")
    with pytest.raises(ValidationError):
        services.evidence_link(by=lead, evidence=board_item, record=package)
    with pytest.raises(PermissionDenied):
        services.evidence_unlink(by=member, link=link)
    services.evidence_unlink(by=lead, link=link)
    assert not EvidenceLink.objects.exists()


def test_a_closed_project_or_withdrawn_package_is_not_cited_any_more(
    lead, project, change_idea, package, board_item
):
    from qms.improvement import services as improvement_services

    improvement_services.package_publish(by=lead, package=package)
    improvement_services.package_withdraw(by=lead, package=package, reason="Replaced")
    package.refresh_from_db()
    assert not selectors.may_cite(lead, package)
    with pytest.raises(PermissionDenied):
        services.evidence_link(by=lead, evidence=board_item, record=package)


def test_a_network_cites_evidence_its_hosts_choose_and_its_members_read(
    org, lead, member, board_item
):
    network = Network.objects.create(unit=org["ward"], name="Falls network", topic="Falls")
    guest = make_person("guest", professional_group="public")
    people_services.grant_give(by=None, record=network, person=guest, role=Role.PARTNER)
    assert not selectors.evidence_visible_to(guest).exists()
    with pytest.raises(PermissionDenied):
        services.evidence_link(by=member, evidence=board_item, record=network)
    services.evidence_link(by=lead, evidence=board_item, record=network, note="Shared")
    assert [link.evidence for link in selectors.evidence_for(network)] == [board_item]
    assert list(selectors.evidence_visible_to(guest)) == [board_item]
    uses = selectors.uses_of(board_item, lead)
    assert [(use.kind, use.title) for use in uses.shown] == [("learning network", "Falls network")]


def test_it_links_any_record_with_a_unit_by_the_default_rules(org, lead, member, board_item):
    review = LearningReview.objects.create(
        unit=org["ward"], title="After the falls project", held_on=dt.date(2026, 1, 5),
        expected="e", happened="h", why_different="w", will_do="d",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # the unit's evidence editors change it
        services.evidence_link(by=member, evidence=board_item, record=review)
    services.evidence_link(by=lead, evidence=board_item, record=review)
    assert [use.title for use in selectors.uses_of(board_item, member).shown] == [review.title]
    surgeon = make_person("surgeon", (Role.TEAM_LEAD, org["other_service"]))
    assert selectors.uses_of(board_item, surgeon).hidden == 1


def test_evidence_for_lists_the_strongest_first_and_counts_for_lists(org, package, priority):
    for title, certainty in [("B low", "low"), ("A very low", "very_low"), ("C high", "high")]:
        services.evidence_link(
            by=None,
            evidence=add_item(org["board"], title=title, certainty=certainty),
            record=package,
        )
    assert [link.evidence.title for link in selectors.evidence_for(package)] == [
        "C high",
        "B low",
        "A very low",
    ]
    assert selectors.cited_counts(
        [
            package,
        ]
    ) == {package.pk: 3}
    assert selectors.cited_counts([priority]) == {}


def test_a_retired_item_is_neither_offered_nor_cited(org, admin, package, board_item):
    other = add_item(org["board"], title="Still current")
    services.evidence_retire(by=None, evidence=board_item, reason="Old")
    with pytest.raises(ValidationError):
        services.evidence_link(by=None, evidence=board_item, record=package)
    assert selectors.citable_evidence(admin, package) == ([other], 1)
