"""Logging partners' involvement: who may log it (organisers, the work's own rule, partners
their own for confirmation), what is refused, and the ladder summary counted by hand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from codesign.involvement_support import *  # noqa: F403
from codesign.involvement_support import DAY, log
from qms.codesign.models import Involvement, InvolvementStatus, Level
from qms.codesign.selectors import involvement as selectors
from qms.codesign.services import involvement as services

pytestmark = pytest.mark.django_db


def test_it_logs_a_partners_involvement_confirmed_when_an_organiser_logs_it(
    project, lead, team_partner
):
    entry = log(project, Level.CO_DESIGNING, by=lead, partner=team_partner, hours="2.5")
    assert entry.status == InvolvementStatus.CONFIRMED
    assert entry.area == "improvement" and entry.unit == project.unit
    assert entry.work == project and entry.confirmed_by == lead
    assert entry.history.get().history_user == lead


def test_it_lets_a_partner_log_their_own_for_an_organiser_to_confirm(project, lead, team_partner):
    entry = services.involvement_log(
        by=team_partner,
        work=project,
        level=Level.CO_PRODUCING,
        occurred_on=DAY,
        contribution="I ran the listening event.",
        group_name="Not allowed",
    )
    assert entry.status == InvolvementStatus.PROPOSED
    assert entry.partner == team_partner and entry.group_name == ""
    with pytest.raises(PermissionDenied):
        services.involvement_decide(by=team_partner, involvement=entry, confirm=True)
    decided = services.involvement_decide(by=lead, involvement=entry, confirm=True)
    assert decided.status == InvolvementStatus.CONFIRMED and decided.confirmed_by == lead
    with pytest.raises(ValidationError, match="already been decided"):
        services.involvement_decide(by=lead, involvement=entry, confirm=False)


@pytest.mark.parametrize("reason", ["About patient 943 476 5919", "Not this\x07 time"])
def test_it_refuses_a_decisions_reason_the_partner_must_never_read(
    project, team_partner, lead, reason
):
    """The reason shows in the entry's history, which its partner reads."""
    entry = services.involvement_log(
        by=team_partner, work=project, level=Level.INVOLVING, occurred_on=DAY,
        contribution="I came to the design event.",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.involvement_decide(by=lead, involvement=entry, confirm=False, reason=reason)
    assert "reason" in error.value.message_dict
    entry.refresh_from_db()
    assert entry.status == InvolvementStatus.PROPOSED


def test_it_refuses_a_partner_logging_for_someone_else(project, team_partner, partner):
    with pytest.raises(PermissionDenied):
        log(project, Level.INVOLVING, by=team_partner, partner=partner)


def test_it_refuses_people_who_do_not_organise_the_work(project, member, outsider, partner):
    # A member of the ward reads the project but does not organise it; a partner of the ward
    # is not on the project's team, so does not read it (improvement's rule); an outsider
    # sees nothing of the ward.
    for person in (member, outsider, partner):
        with pytest.raises(PermissionDenied):
            log(project, Level.INFORMING, by=person)
    assert not Involvement.objects.exists()


def test_it_never_lets_a_partner_on_the_team_confirm(project, team_partner):
    # The project's team changes it by improvement's rule, partners on it too; confirming
    # involvement stays with staff.
    assert not selectors.may_log(team_partner, project)
    assert selectors.may_log_own(team_partner, project)


def test_it_refuses_a_named_person_who_is_not_a_partner_on_the_work(project, lead, member):
    with pytest.raises(ValidationError) as error:
        log(project, Level.INVOLVING, by=lead, partner=member)
    assert "partner" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"level": 9}, "level"),
        ({"level": "high"}, "level"),
        ({"day": dt.date(2999, 1, 1)}, "occurred_on"),
        ({"day": dt.date(1990, 1, 1)}, "occurred_on"),
        ({"contribution": "   "}, "contribution"),
        ({"contribution": "x" * 2001}, "contribution"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"group_name": ""}, "partner"),
        ({"group_size": 0}, "group_size"),
        ({"group_size": "six"}, "group_size"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(project, lead, fields, field):
    level = fields.pop("level", Level.INFORMING)
    with pytest.raises(ValidationError) as error:
        log(project, level, by=lead, **fields)
    assert field in error.value.message_dict
    assert not Involvement.objects.exists()


def test_it_refuses_work_of_a_kind_not_registered(org, lead):
    with pytest.raises(ValidationError):
        log(org["ward"], Level.INFORMING, by=lead)


def test_it_lets_whoever_changes_the_work_by_its_areas_rule_log(project, lead):
    # The project's lead works on it (improvement's rule) and organises the ward.
    assert selectors.may_log(lead, project)


def test_it_counts_the_ladder_summary_by_hand(
    org, project, priority, measure, network, team_partner
):
    # Ward 7, October 2026. The project: told, then co-designed (highest: co-designing, a
    # decision shaped); a partner's own co-producing entry waits for confirmation, so it does
    # not count. The priority: consulted. The measure's review: involving. The network:
    # informing. An entry in September is outside the period.
    log(project, Level.INFORMING, day=dt.date(2026, 10, 1))
    log(
        project,
        Level.CO_DESIGNING,
        day=dt.date(2026, 10, 5),
        shaped_decision=True,
        difference="The night checklist was redesigned with the panel.",
    )
    log(priority, Level.CONSULTING)
    log(project, Level.CO_PRODUCING, by=team_partner)  # proposed
    log(measure, Level.INVOLVING)
    log(network, Level.INFORMING)
    log(network, Level.CO_PRODUCING, day=dt.date(2026, 9, 30))

    summary = selectors.ladder_summary(org["ward"], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert summary.pieces == 4
    assert summary.by_level == {
        Level.CO_DESIGNING: 1,
        Level.CONSULTING: 1,
        Level.INVOLVING: 1,
        Level.INFORMING: 1,
    }
    assert summary.by_area["improvement"] == {Level.CO_DESIGNING: 1}
    assert summary.by_area["planning"] == {Level.CONSULTING: 1}
    assert summary.by_area["control"] == {Level.INVOLVING: 1}
    assert summary.by_area["learning"] == {Level.INFORMING: 1}
    assert (summary.shaping, summary.told_or_asked) == (1, 2)
    assert summary.shaping_share == 0.25 and summary.told_or_asked_share == 0.5
    assert [d.work for d in summary.decisions] == [project]
    assert summary.decisions[0].work_label == "Improvement project: Fewer falls at night"

    # The service above sees the same; the ward beside it nothing.
    above = selectors.ladder_summary(org["service"], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert above.by_level == summary.by_level
    beside = selectors.ladder_summary(
        org["other_ward"], dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    )
    assert beside.pieces == 0 and beside.shaping_share is None


def test_it_tells_the_works_organisers_of_a_partners_own_entry(project, lead, member, team_partner):
    from qms.notifications.models import Notification

    log(project, Level.INVOLVING, by=team_partner)
    told = Notification.objects.get(kind="partners")
    assert told.person == lead and "to confirm" in told.text
    assert not Notification.objects.filter(person=member).exists()
    log(project, Level.INVOLVING, by=lead)  # an organiser's own entry tells no one
    assert Notification.objects.filter(kind="partners").count() == 1
