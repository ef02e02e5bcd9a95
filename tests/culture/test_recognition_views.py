"""Recognition's pages: who may use each and who may not, bad input, and the panels on the unit
page, the huddle board and the Culture home."""

import pytest
from django.urls import reverse
from helpers import make_person

from qms.culture.models import ExcellenceTheme, Recognition
from qms.culture.services import recognition as services
from qms.notifications.models import Notification
from qms.people.roles import Role


@pytest.fixture
def themes(db):
    services.themes_defaults_ensure()
    return {theme.code: theme for theme in ExcellenceTheme.objects.all()}


@pytest.fixture
def recognised(org, lead, member, themes):
    """Ward 7's lead recognised its member."""
    return services.recognition_report(
        by=lead,
        unit=org["ward"],
        recipient=member,
        what_happened="Spotted a deteriorating patient early and called the outreach team.",
        why_it_mattered="The patient was treated before they became critically ill.",
        themes=[themes["safety-awareness"], themes["clinical-skill"]],
    )


def _form(member, known, **changes):
    return {
        "recipient": str(member.pk),
        "what_happened": "Organised the handover so well that nothing was missed at all.",
        "why_it_mattered": "The night team started with every risk in hand.",
        "themes": [str(known["teamwork"].pk), str(known["communication"].pk)],
        **changes,
    }


NEW = reverse("culture:recognition-new")


def test_it_lets_a_colleague_recognise_a_member(client, org, lead, member, themes):
    colleague = make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))
    client.force_login(colleague)
    page = client.get(NEW, {"unit": org["ward"].pk})
    assert page.status_code == 200
    assert f'<option value="{member.pk}">' in page.content.decode()
    assert f'<option value="{colleague.pk}">' not in page.content.decode()  # not oneself
    response = client.post(f"{NEW}?unit={org['ward'].pk}", _form(member, themes))
    recognition = Recognition.objects.get()
    assert response.status_code == 302 and response.url == recognition.get_absolute_url()
    assert recognition.recipient == member and recognition.reported_by == colleague
    assert set(Notification.objects.values_list("person__username", flat=True)) == {
        "member",
        "lead",
    }


def test_it_lets_a_partner_recognise_the_team(client, org, lead, partner, member, themes):
    client.force_login(partner)
    response = client.post(f"{NEW}?unit={org['ward'].pk}", _form(member, themes, recipient="team"))
    assert response.status_code == 302
    assert Recognition.objects.get().is_team
    # The partner reads what they reported, not the unit's page of recognition.
    assert client.get(response.url).status_code == 200
    url = reverse("culture:recognition-unit", args=[org["ward"].pk])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "changes",
    [
        {"what_happened": ""},
        {"why_it_mattered": "   "},
        {"themes": []},
        {"themes": ["999999"]},
        {"themes": ["abc"]},
        {"recipient": "999999"},
        {"recipient": "abc"},
        {"what_happened": "Cared for patient with NHS number 943 476 5919"},
        {"what_happened": "x" * 5000},
    ],
)
def test_it_refuses_bad_input_without_saving(client, org, lead, member, themes, changes):
    client.force_login(lead)
    response = client.post(f"{NEW}?unit={org['ward'].pk}", _form(member, themes, **changes))
    assert response.status_code == 400
    assert not Recognition.objects.exists()


def test_it_refuses_a_recipient_of_another_unit(client, org, lead, themes):
    other = make_person("other", (Role.TEAM_MEMBER, org["other_ward"]))
    client.force_login(lead)
    response = client.post(f"{NEW}?unit={org['ward'].pk}", _form(other, themes))
    assert response.status_code == 400
    assert not Recognition.objects.exists()


@pytest.mark.parametrize("unit", ["other_ward", "elsewhere"])
def test_it_hides_units_the_recogniser_has_no_role_in(client, org, partner, member, themes, unit):
    client.force_login(partner)
    response = client.post(f"{NEW}?unit={org[unit].pk}", _form(member, themes, recipient="team"))
    assert response.status_code == 404
    for bad in ("abc", "0", str(2**70), "-3"):
        assert client.get(NEW, {"unit": bad}).status_code == 404


def test_it_refuses_someone_with_no_role(client, org, outsider, themes):
    stranger = make_person("stranger")
    client.force_login(stranger)
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("culture:recognition-received")).status_code == 200


def test_it_refuses_other_methods(client, org, lead):
    client.force_login(lead)
    assert client.put(NEW).status_code == 405
    assert client.delete(NEW).status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("lead", 200), ("quality_lead", 200), ("partner", 404), ("outsider", 404)],
)
def test_it_shows_a_recognition_to_whom_it_may(as_user, client, recognised, who, status):
    as_user(who)
    assert client.get(recognised.get_absolute_url()).status_code == status


def test_it_keeps_a_private_recognition_from_the_unit(client, org, recognised, member, lead):
    colleague = make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))
    client.force_login(member)
    show = reverse("culture:recognition-show", args=[recognised.pk])
    assert client.post(show, {"shown": "no"}).status_code == 302
    recognised.refresh_from_db()
    assert not recognised.shown
    client.force_login(colleague)
    assert client.get(recognised.get_absolute_url()).status_code == 404
    unit_page = client.get(reverse("culture:recognition-unit", args=[org["ward"].pk]))
    assert "deteriorating" not in unit_page.content.decode()
    client.force_login(lead)
    assert client.get(recognised.get_absolute_url()).status_code == 200
    assert client.post(show, {"shown": "yes"}).status_code == 403


def test_it_lets_a_lead_pass_the_thanks_on(client, recognised, lead, member):
    thank = reverse("culture:recognition-thank", args=[recognised.pk])
    client.force_login(member)
    assert client.post(thank, {"note": ""}).status_code == 403
    client.force_login(lead)
    assert "I passed the thanks on" in client.get(recognised.get_absolute_url()).content.decode()
    assert client.get(thank).status_code == 405
    assert client.post(thank, {"note": "Read out at huddle"}).status_code == 302
    recognised.refresh_from_db()
    assert recognised.thanked_by == lead
    again = client.post(thank, {"note": ""})
    assert again.status_code == 400 and "already" in again.content.decode()


@pytest.mark.parametrize("view", ["detail", "thank", "show"])
def test_it_answers_404_for_ids_that_are_not_there(client, lead, view):
    client.force_login(lead)
    url = reverse(f"culture:recognition-{view}", args=[2**62])
    response = client.get(url) if view == "detail" else client.post(url)
    assert response.status_code == 404


def test_it_lists_what_a_person_received(client, recognised, member, lead):
    client.force_login(member)
    page = client.get(reverse("culture:recognition-received")).content.decode()
    assert "deteriorating" in page and "Safety awareness" in page
    client.force_login(lead)
    assert (
        "deteriorating" not in client.get(reverse("culture:recognition-received")).content.decode()
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("lead", 200), ("partner", 403), ("outsider", 404)],
)
def test_it_shows_a_units_recognition_and_themes_to_its_staff(
    as_user, client, org, recognised, who, status
):
    as_user(who)
    for name in ("culture:recognition-unit", "culture:recognition-themes"):
        assert client.get(reverse(name, args=[org["ward"].pk])).status_code == status


def test_it_counts_a_units_themes_with_the_recognition_behind_them(
    client, org, recognised, quality_lead
):
    client.force_login(quality_lead)
    url = reverse("culture:recognition-themes", args=[org["service"].pk])
    page = client.get(url).content.decode()
    assert "Safety awareness" in page and "themes-pareto-spec" in page
    assert reverse("planning:pareto", args=[org["service"].pk]) in page
    theme = ExcellenceTheme.objects.get(code="safety-awareness")
    behind = client.get(url, {"theme": theme.pk}).content.decode()
    assert "deteriorating" in behind
    for query in (
        {"since": "2026-13"},
        {"since": "x", "until": "1"},
        {"theme": "x"},
        {"page": "9"},
    ):
        assert client.get(url, query).status_code == 200


def test_it_shows_the_panel_on_the_unit_page_and_huddle_board(client, org, recognised, member):
    client.force_login(member)
    for url in (
        reverse("people:unit-detail", args=[org["ward"].pk]),
        reverse("control:huddle-board", args=[org["ward"].pk]),
    ):
        page = client.get(url).content.decode()
        assert "Learning from excellence: Ward 7" in page, url
        assert "deteriorating" in page


def test_it_shows_a_partner_only_the_way_to_recognise(client, org, recognised, partner):
    client.force_login(partner)
    page = client.get(reverse("people:unit-detail", args=[org["ward"].pk])).content.decode()
    assert "Recognise a colleague or the team" in page
    assert "deteriorating" not in page


def test_it_shows_the_home_section(client, org, recognised, lead, member):
    client.force_login(lead)
    page = client.get(reverse("culture:home")).content.decode()
    assert "Recognise a colleague" in page and "To pass on" in page
    client.force_login(member)
    page = client.get(reverse("culture:home")).content.decode()
    assert "Recognition you received</a> (1)" in page and "To pass on" not in page


def test_it_lets_only_theme_editors_change_themes(client, org, admin, lead, themes):
    themes_url = reverse("culture:recognition-theme-list")
    client.force_login(lead)
    assert client.get(themes_url).status_code == 200
    assert client.post(themes_url, {"name": "Humour"}).status_code == 403
    theme = themes["teamwork"]
    for name in ("edit", "retire", "restore"):
        url = reverse(f"culture:recognition-theme-{name}", args=[theme.pk])
        assert client.post(url).status_code == 403
    client.force_login(admin)
    assert client.post(themes_url, {"name": "Humour"}).status_code == 302
    assert client.post(themes_url, {"name": "humour"}).status_code == 400
    edit = reverse("culture:recognition-theme-edit", args=[theme.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"name": "Team working", "description": ""}).status_code == 302
    retire = reverse("culture:recognition-theme-retire", args=[theme.pk])
    assert client.post(retire).status_code == 302
    assert client.post(retire).status_code == 302  # refused with a message, not an error
    theme.refresh_from_db()
    assert theme.name == "Team working" and not theme.is_active
    assert client.post(reverse("culture:recognition-theme-edit", args=[2**62])).status_code == 404


def test_it_shows_themes_only_to_staff(client, org, partner, themes):
    client.force_login(partner)
    assert client.get(reverse("culture:recognition-theme-list")).status_code == 403


def test_it_is_linked_from_the_contributory_factors(client, org, lead, themes):
    client.force_login(lead)
    page = client.get(reverse("planning:pareto", args=[org["ward"].pk])).content.decode()
    assert reverse("culture:recognition-themes", args=[org["ward"].pk]) in page


def test_it_links_a_persons_own_page_to_what_they_received(client, recognised, member, lead):
    client.force_login(member)
    page = client.get(member.get_absolute_url()).content.decode()
    assert reverse("culture:recognition-received") in page and "1 time " in page
    client.force_login(lead)
    assert (
        reverse("culture:recognition-received")
        not in client.get(member.get_absolute_url()).content.decode()
    )
