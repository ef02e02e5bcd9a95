import datetime as dt

import pytest
from django.utils import timezone

from culture.walkrounds_support import *  # noqa: F403
from culture.walkrounds_support import done
from qms.culture.selectors import walkrounds as selectors
from qms.culture.services import walkrounds as services
from qms.issues.models import Action


def _with_action(walkround, by, owner, what="Rota gap at night", theme="organisation", due=14):
    return services.walkround_item_add(
        by=by,
        walkround=walkround,
        what=what,
        theme=theme,
        action=f"Fix: {what}",
        owner=owner,
        due_on=timezone.localdate() + dt.timedelta(days=due),
    )


@pytest.fixture
def visited(planned, executive, lead):
    walkround = done(planned, executive, on=timezone.localdate())
    _with_action(walkround, executive, lead)
    services.walkround_item_add(
        by=executive, walkround=walkround, what="Noisy", theme="environment"
    )
    return walkround


def test_it_lists_walkrounds_for_the_units_staff_and_not_for_others(visited, member, outsider):
    listing = selectors.walkround_list(member)
    assert listing.done == [visited] and not listing.may_plan
    assert listing.done[0].item_count == 2 and listing.done[0].open_action_count == 1
    assert selectors.walkround_list(outsider).done == []


def test_it_says_who_may_plan(org, visited, executive, lead):
    assert selectors.walkround_list(executive, org["ward"]).may_plan
    assert not selectors.walkround_list(lead, org["ward"]).may_plan


def test_it_lists_overdue_follow_ups_only(visited, executive, lead, member, outsider):
    action = Action.objects.get()
    assert selectors.overdue_follow_ups(member) == []
    later = action.due_on + dt.timedelta(days=1)
    assert selectors.overdue_follow_ups(member, today=later) == [action]
    assert selectors.overdue_follow_ups(outsider, today=later) == []


def test_it_counts_items_by_theme_with_every_theme(visited, member):
    counts = {row.code: row.count for row in selectors.items_by_theme(member)}
    assert counts["organisation"] == 1 and counts["environment"] == 1 and counts["task"] == 0
    assert len(counts) == 6


def test_it_gives_a_leader_the_open_actions_of_their_walkrounds(
    visited, executive, quality_lead, lead
):
    mine = selectors.walkround_actions_open(executive)
    assert [action.walkround for action in mine] == [visited] and not mine[0].overdue
    assert len(selectors.walkround_actions_open(quality_lead)) == 1
    assert selectors.walkround_actions_open(lead) == []
    Action.objects.update(done_at=timezone.now())
    assert selectors.walkround_actions_open(executive) == []


@pytest.mark.parametrize("walkrounds", [1, 6])
def test_it_reads_lists_in_the_same_queries_whatever_their_size(
    org, executive, lead, member, walkrounds, django_assert_max_num_queries
):
    for days in range(walkrounds):
        walkround = services.walkround_plan(
            by=executive, unit=org["ward"], planned_on=timezone.localdate(), leaders=[executive]
        )
        walkround = done(walkround, executive, on=timezone.localdate())
        _with_action(walkround, executive, lead, what=f"Item {days}", due=days + 1)
    member = type(member).objects.get(pk=member.pk)
    with django_assert_max_num_queries(8):
        selectors.walkround_list(member, org["ward"])
        selectors.overdue_follow_ups(member, org["ward"])
        selectors.items_by_theme(member, org["ward"])
        selectors.walkround_actions_open(executive)


def test_it_gives_a_leader_the_walkrounds_they_are_going_on(planned, executive, lead):
    assert selectors.walkrounds_planned(executive) == [planned]
    assert selectors.walkrounds_planned(lead) == []
    done(planned, executive)
    assert selectors.walkrounds_planned(executive) == []
