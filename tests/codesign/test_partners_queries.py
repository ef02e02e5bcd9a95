"""The partner's home and the organisers' list of partners read in the same number of queries
whatever the number of partners and pieces of work."""

from django.urls import reverse

from codesign.partners_support import *  # noqa: F403
from codesign.partners_support import make_project
from qms.codesign.services import partners as services


def _invite(lead, org, count, start=0):
    people = []
    for number in range(start, start + count):
        project = make_project(org["ward"], title=f"Project {number}")
        invitation = services.partner_invite(
            by=lead, display_name=f"Partner {chr(65 + number)}", email=f"p{number}@example.net",
            record=project,
        )  # fmt: skip
        services.partner_invite(
            by=lead, display_name="Again", email=f"p{number}@example.net",
            record=make_project(org["ward"], title=f"Second project {number}"),
        )  # fmt: skip
        people.append(invitation.profile.person)
    return people


def test_it_lists_partners_in_the_same_queries_whatever_their_number(
    client, lead, org, django_assert_max_num_queries
):
    _invite(lead, org, 2)
    client.force_login(lead)
    url = reverse("codesign:partner-list")
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    _invite(lead, org, 12, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "Partner N" in response.text


def test_it_reads_a_partners_home_in_the_same_queries_whatever_their_work(
    client, lead, org, django_assert_max_num_queries
):
    (person,) = _invite(lead, org, 1)
    client.force_login(person)
    url = reverse("codesign:home")
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    for number in range(10):
        services.partner_invite(
            by=lead, display_name="Again", email=person.email,
            record=make_project(org["ward"], title=f"More work {number}"),
        )  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "More work 9" in response.text
