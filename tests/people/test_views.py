"""Every page of the organisation part, for who may and who may not use it.

Users are those of tests/conftest.py: lead, member and partner in the ward, quality_lead above
it, outsider in another board, admin a superuser; "anonymous" is not logged in.
"""

import re
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from helpers import ANONYMOUS, make_person

from qms.control.models import Measure
from qms.people import access, services
from qms.people.models import Membership, ObjectGrant, Person
from qms.people.roles import Role


@pytest.fixture
def newcomer(org):
    return make_person("newcomer", job_title="Healthcare support worker")


def login_redirect(path):
    return f"/accounts/login/?next={quote(path, safe='/')}"


def assert_sent_to_login(response, path):
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


def table_row_with(html, text):
    """The <tr> holding `text`, so a test can check what else sits in that row."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if text in row]
    assert rows, f"no table row contains {text!r}"
    return rows[0]


def main_of(response):
    """The page's <main>: what differs between pages (the switcher's `next` aside)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def selected_unit_id(html):
    match = re.search(r'<option value="(\d+)" selected>', html)
    return int(match.group(1)) if match else None


# Home and the areas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("lead", ["Ward 7", "Team lead"], ["Other Board"]),
        ("member", ["Ward 7", "Team member"], ["Other Board"]),
        ("partner", ["Ward 7", "Patient / carer partner"], ["Other Board"]),
        ("outsider", ["Other Board", "Team lead"], ["Ward 7", "Test Board", "Medicine"]),
    ],
)
def test_it_shows_the_home_page_with_only_the_users_own_units(
    client, as_user, who, sees, does_not_see
):
    user = as_user(who)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Welcome, {user.display_name}" in html
    for text in sees:
        assert text in html
    for text in does_not_see:
        assert text not in html


def test_it_sends_an_anonymous_visitor_from_home_to_log_in(client, org):
    assert_sent_to_login(client.get("/"), "/")


@pytest.mark.parametrize("who", ["lead", "member", "partner", "outsider", "admin"])
def test_it_names_no_area_still_to_come_now_that_all_are_built(client, as_user, who):
    as_user(who)
    html = client.get("/").content.decode()
    assert "Coming to QMS" not in html
    assert client.get("/areas/partners/").status_code == 404


# The unit tree ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("lead", ["Ward 7"], ["Ward 8", "Medicine", "Other Board"]),
        ("member", ["Ward 7"], ["Ward 8", "Medicine", "Other Board"]),
        ("partner", ["Ward 7"], ["Ward 8", "Medicine", "Other Board"]),
        ("quality_lead", ["Acute Division", "Ward 7", "Ward 8", "Surgery"], ["Other Board"]),
        ("outsider", ["Other Board"], ["Test Board", "Ward 7", "Medicine"]),
        ("admin", ["Test Board", "Ward 7", "Other Board"], []),
    ],
)
def test_it_shows_the_unit_tree_of_what_the_user_can_see(
    client, as_user, org, who, sees, does_not_see
):
    as_user(who)
    response = client.get("/units/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in sees:
        assert text in html
    for text in does_not_see:
        assert text not in html


def test_it_tells_someone_without_a_role_how_to_get_one(client, org):
    client.force_login(make_person("nobody"))
    response = client.get("/units/")
    assert response.status_code == 200
    assert b"You have no role in any unit yet" in response.content
    assert b'class="tree"' not in response.content


def test_it_sends_an_anonymous_visitor_from_the_unit_tree_to_log_in(client, org):
    assert_sent_to_login(client.get("/units/"), "/units/")


# A unit ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("partner", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("outsider", 404),
    ],
)
def test_it_shows_a_unit_only_to_those_with_a_role_there_or_above(
    client, as_user, org, who, status
):
    as_user(who)
    response = client.get(f"/units/{org['ward'].pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"<h1>Ward 7</h1>" in response.content
    else:
        assert b"Ward 7" not in response.content
        assert b"Page not found" in response.content


def test_it_sends_an_anonymous_visitor_from_a_unit_to_log_in(client, org):
    path = f"/units/{org['ward'].pk}/"
    assert_sent_to_login(client.get(path), path)


def test_it_answers_the_same_404_for_a_hidden_unit_and_a_missing_one(client, lead, org):
    client.force_login(lead)
    hidden = client.get(f"/units/{org['other_ward'].pk}/")
    missing = client.get(f"/units/{org['elsewhere'].pk + 1000}/")
    junk = client.get("/units/abc/")
    assert hidden.status_code == missing.status_code == junk.status_code == 404
    assert b"Ward 8" not in hidden.content
    assert main_of(hidden) == main_of(missing)


def test_it_shows_the_people_of_a_unit_to_a_member(client, org, lead, member, partner):
    client.force_login(member)
    html = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert f'<a href="/people/{lead.pk}/">Lead</a>' in html
    assert "Senior charge nurse" in html
    assert 'id="history-heading"' in html
    assert "Manage members" not in html


def test_it_hides_the_people_of_a_unit_from_a_partner(client, org, lead, member, partner):
    client.force_login(partner)
    html = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert "Your contacts" in html
    assert f'href="/people/{lead.pk}/"' not in html
    assert f'href="/people/{member.pk}/"' not in html
    assert "Senior charge nurse" not in html
    assert "Staff nurse" not in html
    assert 'id="history-heading"' not in html
    assert "Manage members" not in html


def test_it_offers_a_lead_to_manage_members(client, org, lead):
    client.force_login(lead)
    html = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert f'href="/units/{org["ward"].pk}/members/">Manage members</a>' in html


def test_it_shows_only_visible_sub_units_and_breadcrumbs(client, org, quality_lead):
    client.force_login(quality_lead)
    html = client.get(f"/units/{org['service'].pk}/").content.decode()
    assert f'href="/units/{org["ward"].pk}/">Ward 7</a>' in html
    assert f'href="/units/{org["other_ward"].pk}/">Ward 8</a>' in html
    # the division is above and visible; the board is above and hidden
    assert f'href="/units/{org["division"].pk}/">Acute Division</a>' in html
    assert "Test Board" not in html


# Managing members ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("member", 403),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_the_members_page_only_to_those_who_manage_the_unit(
    client, as_user, org, who, status
):
    as_user(who)
    response = client.get(f"/units/{org['ward'].pk}/members/")
    assert response.status_code == status
    html = response.content.decode()
    if status == 200:
        assert "<h1>Members of Ward 7</h1>" in html
    else:
        assert "Members of Ward 7" not in html
    if status == 403:
        assert "You cannot do this here" in html


def test_it_sends_an_anonymous_visitor_from_the_members_page_to_log_in(client, org):
    path = f"/units/{org['ward'].pk}/members/"
    assert_sent_to_login(client.get(path), path)
    assert_sent_to_login(client.post(path, {"person": 1, "role": "team_member"}), path)


@pytest.mark.parametrize(("who", "offered"), [("lead", False), ("admin", True)])
def test_it_offers_the_system_administrator_role_only_to_administrators(
    client, as_user, org, who, offered
):
    as_user(who)
    html = client.get(f"/units/{org['ward'].pk}/members/").content.decode()
    assert 'value="team_member"' in html
    assert ('value="system_administrator"' in html) is offered


def test_it_lets_a_lead_add_a_person_and_shows_it_in_the_unit_and_its_history(
    client, org, lead, newcomer
):
    client.force_login(lead)
    ward = org["ward"]
    response = client.post(
        f"/units/{ward.pk}/members/",
        {"person": newcomer.username, "role": Role.TEAM_MEMBER},
        follow=True,
    )
    assert response.redirect_chain == [(f"/units/{ward.pk}/members/", 302)]
    assert "Added Newcomer as Team member." in response.content.decode()
    membership = Membership.objects.get(person=newcomer)
    assert (membership.unit, membership.role) == (ward, Role.TEAM_MEMBER)

    html = client.get(f"/units/{ward.pk}/").content.decode()
    member_row = table_row_with(html, f'<a href="/people/{newcomer.pk}/">Newcomer</a>')
    assert "Team member" in member_row
    history_row = table_row_with(html, "Added Newcomer as Team member")
    assert "<td>Lead</td>" in history_row


def test_it_lets_a_quality_lead_add_a_lead_in_a_ward_below(client, org, quality_lead, newcomer):
    client.force_login(quality_lead)
    response = client.post(
        f"/units/{org['other_ward'].pk}/members/",
        {"person": newcomer.username, "role": Role.TEAM_LEAD},
    )
    assert response.status_code == 302
    assert newcomer.memberships.get().unit == org["other_ward"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": Role.TEAM_MEMBER}, "person", "This field is required."),
        ({"person": "", "role": Role.TEAM_MEMBER}, "person", "This field is required."),
        ({"person": "99999", "role": Role.TEAM_MEMBER}, "person", "Person: no one with the"),
        ({"person": "abc", "role": Role.TEAM_MEMBER}, "person", "Person: no one with the"),
        ({"person": "a\x00b", "role": Role.TEAM_MEMBER}, "person", "Null characters"),
        ({"person": "{newcomer}"}, "role", "This field is required."),
        ({"person": "{newcomer}", "role": "wizard"}, "role", "Select a valid choice."),
        (
            {"person": "{newcomer}", "role": Role.SYSTEM_ADMINISTRATOR},
            "role",
            "Select a valid choice.",
        ),
    ],
)
def test_it_refuses_a_bad_add_naming_the_field_and_saves_nothing(
    client, org, lead, newcomer, data, field, message
):
    client.force_login(lead)
    data = {key: value.format(newcomer=newcomer.username) for key, value in data.items()}
    before = Membership.objects.count(), Membership.history.count()
    response = client.post(f"/units/{org['ward'].pk}/members/", data)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<div class="field-error" id="id_{field}-error">(.*?)</div>', html, re.S)
    assert error, f"no error shown for {field}"
    assert message in error.group(1)
    assert (Membership.objects.count(), Membership.history.count()) == before


def test_it_refuses_a_role_already_held_with_a_400_and_saves_nothing(client, org, lead, member):
    client.force_login(lead)
    before = Membership.history.count()
    response = client.post(
        f"/units/{org['ward'].pk}/members/", {"person": member.email, "role": Role.TEAM_MEMBER}
    )
    assert response.status_code == 400
    assert "already holds the role Team member in Ward 7" in response.content.decode()
    assert member.memberships.count() == 1
    assert Membership.history.count() == before


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_an_add_by_someone_who_does_not_manage_the_unit(
    client, as_user, org, newcomer, who, status
):
    as_user(who)
    response = client.post(
        f"/units/{org['ward'].pk}/members/",
        {"person": newcomer.username, "role": Role.TEAM_LEAD},
    )
    assert response.status_code == status
    assert not Membership.objects.filter(person=newcomer).exists()


def test_it_refuses_a_lead_adding_in_a_unit_they_cannot_see(client, org, lead, newcomer):
    client.force_login(lead)
    response = client.post(
        f"/units/{org['other_ward'].pk}/members/",
        {"person": newcomer.username, "role": Role.TEAM_LEAD},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(person=newcomer).exists()


# Removing a member -----------------------------------------------------------------------------


def remove_url(unit, membership):
    return f"/units/{unit.pk}/members/{membership.pk}/remove/"


def test_it_lets_a_lead_remove_a_member_with_a_reason_in_the_history(client, org, lead, member):
    client.force_login(lead)
    ward = org["ward"]
    membership = member.memberships.get()
    response = client.post(remove_url(ward, membership), {"reason": "Moved to Ward 8"}, follow=True)
    assert response.redirect_chain == [(f"/units/{ward.pk}/members/", 302)]
    assert "Removed Member as Team member." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()

    html = client.get(f"/units/{ward.pk}/").content.decode()
    assert f'href="/people/{member.pk}/"' not in html
    row = table_row_with(html, "Removed Member as Team member")
    assert "<td>Lead</td>" in row
    assert "Reason: Moved to Ward 8" in row


def test_it_refuses_a_reason_over_200_characters_and_removes_nothing(client, org, lead, member):
    client.force_login(lead)
    membership = member.memberships.get()
    before = Membership.history.count()
    response = client.post(remove_url(org["ward"], membership), {"reason": "x" * 201})
    assert response.status_code == 302
    assert response["Location"] == f"/units/{org['ward'].pk}/members/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The reason is too long: 200 characters at most. Nothing was removed."
    ]
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert Membership.history.count() == before
    page = client.get(response["Location"]).content.decode()
    assert "The reason is too long" in page


def test_it_accepts_a_reason_of_exactly_200_characters(client, org, lead, member):
    client.force_login(lead)
    membership = member.memberships.get()
    response = client.post(remove_url(org["ward"], membership), {"reason": "x" * 200})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_a_removal_by_someone_who_does_not_manage_the_unit(
    client, as_user, org, lead, who, status
):
    as_user(who)
    membership = lead.memberships.get()
    response = client.post(remove_url(org["ward"], membership), {"reason": "Coup"})
    assert response.status_code == status
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_sends_an_anonymous_visitor_from_a_removal_to_log_in(client, org, member):
    path = remove_url(org["ward"], member.memberships.get())
    assert_sent_to_login(client.post(path), path)
    assert member.memberships.exists()


def test_it_removes_only_on_post(client, org, lead, member):
    client.force_login(lead)
    response = client.get(remove_url(org["ward"], member.memberships.get()))
    assert response.status_code == 405
    assert member.memberships.exists()


def test_it_answers_404_for_a_membership_of_another_unit(client, org, quality_lead, member):
    # The quality lead manages both wards, but the membership belongs to Ward 7, not Ward 8.
    client.force_login(quality_lead)
    response = client.post(remove_url(org["other_ward"], member.memberships.get()))
    assert response.status_code == 404
    assert member.memberships.exists()


def test_it_does_not_let_a_lead_remove_a_system_administrator(client, org, lead, admin):
    admin_here = Membership.objects.create(
        person=admin, unit=org["ward"], role=Role.SYSTEM_ADMINISTRATOR
    )
    client.force_login(lead)
    response = client.post(remove_url(org["ward"], admin_here), follow=True)
    assert response.status_code == 200
    assert "You may not remove this role in this unit." in response.content.decode()
    assert Membership.objects.filter(pk=admin_here.pk).exists()


# Switching unit --------------------------------------------------------------------------------


def test_it_remembers_the_unit_switched_to_and_shows_it_selected(client, org, quality_lead):
    client.force_login(quality_lead)
    other_ward = org["other_ward"]
    before = client.get("/").content.decode()
    # One unit held: no switcher (units below are picked from the tree), working in it.
    assert selected_unit_id(before) is None
    assert f'You are working in <a href="/units/{org["division"].pk}/">' in before

    response = client.post("/units/switch/", {"unit": other_ward.pk, "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Person.objects.get(pk=quality_lead.pk).current_unit == other_ward

    after = client.get("/units/").content.decode()
    assert selected_unit_id(after) == other_ward.pk
    home = client.get("/").content.decode()
    assert f'You are working in <a href="/units/{other_ward.pk}/">Ward 8</a>' in home


def test_it_remembers_the_unit_across_log_ins(client, org, quality_lead):
    client.force_login(quality_lead)
    client.post("/units/switch/", {"unit": org["service"].pk})
    client.logout()
    client.force_login(Person.objects.get(pk=quality_lead.pk))
    assert selected_unit_id(client.get("/").content.decode()) == org["service"].pk


def test_it_goes_to_the_unit_when_no_next_page_is_given(client, org, lead):
    client.force_login(lead)
    response = client.post("/units/switch/", {"unit": org["ward"].pk})
    assert response["Location"] == f"/units/{org['ward'].pk}/"


def test_it_goes_back_to_a_local_next_page(client, org, lead):
    client.force_login(lead)
    response = client.post("/units/switch/", {"unit": org["ward"].pk, "next": "/units/"})
    assert response["Location"] == "/units/"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "http://evil.example",
        "///evil.example/",
        "javascript:alert(1)",
        "https://testserver@evil.example/",
    ],
)
def test_it_never_redirects_off_site_after_switching(client, org, lead, next_url):
    client.force_login(lead)
    response = client.post("/units/switch/", {"unit": org["ward"].pk, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == f"/units/{org['ward'].pk}/"


@pytest.mark.parametrize(
    ("who", "unit"),
    [("lead", "other_ward"), ("lead", "service"), ("partner", "board"), ("outsider", "ward")],
)
def test_it_refuses_to_switch_to_a_unit_the_user_cannot_see(client, as_user, org, who, unit):
    user = as_user(who)
    response = client.post("/units/switch/", {"unit": org[unit].pk, "next": "/"})
    assert response.status_code == 404
    assert Person.objects.get(pk=user.pk).current_unit is None


@pytest.mark.parametrize("data", [{}, {"unit": ""}, {"unit": "abc"}, {"unit": "99999"}])
def test_it_refuses_to_switch_to_no_unit_or_junk(client, org, lead, data):
    client.force_login(lead)
    response = client.post("/units/switch/", data)
    assert response.status_code == 404
    assert Person.objects.get(pk=lead.pk).current_unit is None


def test_it_sends_an_anonymous_visitor_from_switching_to_log_in(client, org):
    assert_sent_to_login(client.post("/units/switch/", {"unit": org["ward"].pk}), "/units/switch/")


def test_it_does_not_switch_on_get(client, org, lead):
    client.force_login(lead)
    response = client.get(f"/units/switch/?unit={org['ward'].pk}")
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert Person.objects.get(pk=lead.pk).current_unit is None


# A person --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "whom", "status"),
    [
        ("partner", "partner", 200),
        ("lead", "partner", 200),
        ("quality_lead", "partner", 200),
        ("admin", "partner", 200),
        ("member", "partner", 404),
        ("outsider", "partner", 404),
        ("member", "member", 200),
        ("lead", "member", 200),
        ("member", "lead", 200),
        ("member", "quality_lead", 200),
        ("partner", "member", 404),
        ("partner", "lead", 404),
        ("outsider", "member", 404),
        ("outsider", "lead", 404),
        ("lead", "outsider", 404),
    ],
)
def test_it_shows_a_person_only_to_those_who_may_see_them(
    client, request, as_user, who, whom, status
):
    person = request.getfixturevalue(whom)
    as_user(who)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == status
    if status == 200:
        assert f"<h1>{person.display_name}</h1>" in response.content.decode()
    else:
        assert f"<h1>{person.display_name}</h1>" not in response.content.decode()
        assert b"Page not found" in response.content


def test_it_sends_an_anonymous_visitor_from_a_person_to_log_in(client, member):
    path = f"/people/{member.pk}/"
    assert_sent_to_login(client.get(path), path)


def test_it_answers_404_for_a_person_who_does_not_exist(client, admin):
    client.force_login(admin)
    response = client.get(f"/people/{admin.pk + 1000}/")
    assert response.status_code == 404


def test_it_shows_a_lead_the_partners_role_but_not_their_e_mail(client, org, lead, partner):
    client.force_login(lead)
    html = client.get(f"/people/{partner.pk}/").content.decode()
    assert "Patient / carer partner</span> in" in html
    assert "Patient, carer or public partner" in html  # professional group
    assert partner.email not in html
    assert "Change your password" not in html


def test_it_shows_people_their_own_e_mail_and_password_link(client, member):
    client.force_login(member)
    html = client.get(f"/people/{member.pk}/").content.decode()
    assert member.email in html
    assert "Change your password" in html


def test_it_shows_only_the_roles_in_units_the_viewer_can_see(client, org, lead):
    busy = make_person("busy", (Role.TEAM_MEMBER, org["ward"]), (Role.ANALYST, org["elsewhere"]))
    client.force_login(lead)
    html = client.get(f"/people/{busy.pk}/").content.decode()
    assert "Ward 7" in html
    assert "Other Board" not in html
    assert "Analyst" not in html


# The Django admin ------------------------------------------------------------------------------


def test_it_opens_the_admin_to_a_system_administrator(client, admin):
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"QMS administration" in response.content
    assert b"Site administration" in response.content


@pytest.mark.parametrize(
    "who", ["lead", "member", "partner", "outsider", "quality_lead", ANONYMOUS]
)
def test_it_sends_everyone_else_to_the_admin_log_in(client, as_user, who):
    as_user(who)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    page = client.get(response["Location"])
    assert b"Site administration" not in page.content
    assert client.get("/admin/people/person/").status_code == 302


def test_it_links_to_the_admin_only_for_a_system_administrator(client, lead, admin):
    client.force_login(lead)
    assert b'href="/admin/"' not in client.get("/").content
    client.force_login(admin)
    assert b'href="/admin/"' in client.get("/").content


@pytest.mark.parametrize(
    ("who", "typed", "added"),
    [
        ("member", "member", True),
        ("newcomer", "NEWCOMER@example.org", True),  # a new account, not yet in any unit
        ("outsider", "outsider", False),  # staff of another board
        ("other_partner", "otherpartner", False),  # another unit's partner
    ],
)
def test_it_lets_a_lead_add_only_people_they_may_see_and_unplaced_newcomers(
    client, org, lead, member, outsider, newcomer, who, typed, added
):
    make_person("otherpartner", (Role.PARTNER, org["other_ward"]))
    client.force_login(lead)
    response = client.post(
        f"/units/{org['ward'].pk}/members/", {"person": typed, "role": Role.ANALYST}
    )
    assert response.status_code == (302 if added else 400)
    if not added:  # told exactly what an unknown name is told
        assert "no one with the username or e-mail address" in response.content.decode()
    assert Membership.objects.filter(unit=org["ward"], role=Role.ANALYST).exists() is added


def test_it_does_not_list_every_person_on_the_members_page(client, org, lead):
    for number in range(30):
        make_person(f"staff{number}")
    client.force_login(lead)
    html = client.get(f"/units/{org['ward'].pk}/members/").content.decode()
    assert "Staff12" not in html
    assert '<input type="text" name="person"' in html


def test_it_reads_people_on_submit_in_a_few_queries_however_many_there_are(
    client, org, lead, newcomer
):
    client.force_login(lead)
    path = f"/units/{org['ward'].pk}/members/"
    with CaptureQueriesContext(connection) as few:
        client.post(path, {"person": "nobody", "role": Role.ANALYST})
    for number in range(30):
        make_person(f"staff{number}", (Role.TEAM_MEMBER, org["other_ward"]))
    with CaptureQueriesContext(connection) as many:
        client.post(path, {"person": "nobody", "role": Role.ANALYST})
    assert len(many) == len(few)


def test_it_makes_a_unit_the_working_unit_from_its_page(client, org, quality_lead):
    client.force_login(quality_lead)
    html = client.get(f"/units/{org['ward'].pk}/").content.decode()
    assert "Make this my working unit" in html
    client.post("/units/switch/", {"unit": org["ward"].pk})
    quality_lead.refresh_from_db()
    assert quality_lead.current_unit == org["ward"]
    assert (
        "Make this my working unit" not in client.get(f"/units/{org['ward'].pk}/").content.decode()
    )


# People on one record (grants) -------------------------------------------------------------------


def people_path(record):
    return f"/records/control.measure/{record.pk}/people/"


@pytest.mark.parametrize(
    ("who", "status", "manages"),
    [
        ("lead", 200, True),
        ("quality_lead", 200, True),
        ("admin", 200, True),
        ("member", 200, False),
        ("partner", 403, False),  # partners do not see measures, nor who works on them
        ("outsider", 404, False),
    ],
)
def test_it_shows_the_people_on_a_record_to_its_staff_and_the_form_to_its_managers(
    client, as_user, measure, who, status, manages
):
    as_user(who)
    response = client.get(people_path(measure))
    assert response.status_code == status
    html = response.content.decode()
    assert (f"<h1>People on {measure.name}</h1>" in html) is (status == 200)
    assert ("Give someone a role here" in html) is manages


def test_it_links_to_the_people_on_a_measure_from_its_page(client, measure, member):
    client.force_login(member)
    html = client.get(measure.get_absolute_url()).content.decode()
    assert f'href="{people_path(measure)}"' in html


def test_it_sends_an_anonymous_visitor_from_the_people_on_a_record_to_log_in(client, measure):
    assert_sent_to_login(client.get(people_path(measure)), people_path(measure))


@pytest.mark.parametrize(
    "path",
    [
        "/records/control.nothing/1/people/",
        "/records/people.membership/{membership}/people/",  # has a unit, but takes no grants
        "/records/people.unit/{unit}/people/",
        "/records/control.measure/{missing}/people/",
        "/records/control.measure/{other}/people/",  # another ward's: unseen
        "/records/nonsense/1/people/",
        "/records/control.measure/99999999999999999999999/people/",
    ],
)
def test_it_answers_404_for_a_record_type_or_id_it_does_not_show(
    client, org, lead, measure, other_measure, path
):
    client.force_login(lead)
    path = path.format(
        membership=lead.memberships.get().pk,
        unit=org["ward"].pk,
        missing=measure.pk + 1000,
        other=other_measure.pk,
    )
    assert client.get(path).status_code == 404


def test_it_lets_a_lead_give_a_role_by_username_and_lists_it(client, measure, lead, visitor):
    client.force_login(lead)
    response = client.post(
        people_path(measure), {"person": "visitor", "role": Role.ANALYST}, follow=True
    )
    assert response.redirect_chain == [(people_path(measure), 302)]
    html = response.content.decode()
    assert "Visitor is Analyst here." in html
    row = table_row_with(html, "Visitor")
    assert "Analyst" in row and "Lead" in row
    assert ObjectGrant.objects.get().subject == measure


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"person": "nobody", "role": Role.ANALYST}, "person", "Person: no one with the"),
        ({"person": "", "role": Role.ANALYST}, "person", "This field is required."),
        ({"person": "visitor"}, "role", "This field is required."),
        (
            {"person": "visitor", "role": Role.SYSTEM_ADMINISTRATOR},
            "role",
            "Select a valid choice.",
        ),
    ],
)
def test_it_refuses_a_bad_grant_naming_the_field_and_saves_nothing(
    client, measure, admin, visitor, data, field, message
):
    client.force_login(admin)
    response = client.post(people_path(measure), data)
    assert response.status_code == 400
    error = re.search(
        rf'<div class="field-error" id="id_{field}-error">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert error and message in error.group(1)
    assert not ObjectGrant.objects.exists()


def test_it_refuses_a_role_already_given_with_a_400(client, measure, lead, visitor):
    services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    client.force_login(lead)
    response = client.post(people_path(measure), {"person": "visitor", "role": Role.ANALYST})
    assert response.status_code == 400
    assert "already holds the role Analyst" in response.content.decode()
    assert ObjectGrant.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_it_refuses_a_grant_by_someone_who_does_not_manage_the_unit(
    client, as_user, measure, visitor, who, status
):
    as_user(who)
    response = client.post(people_path(measure), {"person": "visitor", "role": Role.ANALYST})
    assert response.status_code == status
    assert not ObjectGrant.objects.exists()


def test_it_lets_a_lead_remove_a_grant_with_a_reason_in_the_history(client, measure, lead, visitor):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    client.force_login(lead)
    response = client.post(
        f"/records/grants/{grant.pk}/remove/", {"reason": "Audit finished"}, follow=True
    )
    assert response.redirect_chain == [(people_path(measure), 302)]
    assert "Removed Visitor as Analyst here." in response.content.decode()
    assert not ObjectGrant.objects.exists()
    assert ObjectGrant.history.latest().history_change_reason == "Audit finished"


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404), ("visitor", 403)]
)
def test_it_refuses_a_grant_removal_by_someone_who_does_not_manage_the_unit(
    client, as_user, measure, lead, visitor, who, status
):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.TEAM_LEAD)
    as_user(who)
    assert client.post(f"/records/grants/{grant.pk}/remove/").status_code == status
    assert ObjectGrant.objects.filter(pk=grant.pk).exists()


def test_it_answers_404_for_removing_a_grant_that_does_not_exist(client, lead):
    client.force_login(lead)
    assert client.post("/records/grants/99999/remove/").status_code == 404


def test_it_shows_a_granted_visitor_that_record_and_nothing_else_of_its_unit(
    client, org, measure, other_measure, lead, visitor
):
    services.grant_give(by=lead, record=measure, person=visitor, role=Role.TEAM_MEMBER)
    client.force_login(visitor)
    assert client.get(measure.get_absolute_url()).status_code == 200
    assert client.get(people_path(measure)).status_code == 200
    assert client.get(other_measure.get_absolute_url()).status_code == 404
    assert client.get(org["ward"].get_absolute_url()).status_code == 404
    assert client.get(f"/control/units/{org['ward'].pk}/measures/").status_code == 404


def test_it_shows_a_partner_granted_on_a_record_only_that_record(
    org, measure, other_measure, lead, client
):
    partner = make_person("visiting", professional_group="public")
    services.grant_give(by=lead, record=measure, person=partner, role=Role.PARTNER)
    assert access.object_or_404(partner, Measure, measure.pk) == measure
    for record in (other_measure, org["ward"]):
        with pytest.raises(Http404):
            access.object_or_404(partner, type(record), record.pk)
    client.force_login(partner)
    # Seen, but partners do not see measure pages, as in their own unit.
    assert client.get(measure.get_absolute_url()).status_code == 403
    assert client.get(other_measure.get_absolute_url()).status_code == 404


def test_it_lists_a_person_s_roles_on_single_records_to_those_who_see_the_records(
    client, org, measure, other_measure, lead, quality_lead, visitor
):
    services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    services.grant_give(by=quality_lead, record=other_measure, person=visitor, role=Role.ANALYST)
    client.force_login(visitor)
    html = client.get(visitor.get_absolute_url()).content.decode()
    assert "Roles on single records" in html
    assert f'<a href="{measure.get_absolute_url()}">{measure.name}</a>' in html
    assert f'<a href="{other_measure.get_absolute_url()}">{other_measure.name}</a>' in html
    # The lead of Ward 7 sees the visitor's role on Ward 7's measure, not on Ward 8's.
    services.membership_add(by=None, person=visitor, unit=org["ward"], role=Role.TEAM_MEMBER)
    client.force_login(lead)
    html = client.get(visitor.get_absolute_url()).content.decode()
    assert measure.name in html
    assert other_measure.name not in html
