"""Pages of partners: who may invite and list partners, the invitation form's answers to good
and bad input, and the partner's own home in plain words (their work only, no staff directory,
no jargon left unexplained)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from codesign.partners_support import *  # noqa: F403
from qms.codesign.models import PartnerInvitation
from qms.people.models import Person

JARGON = ("SPC", "UCL", "LCL", "p chart", "PDSA", "driver diagram")


def _invite_url(unit):
    return reverse("codesign:partner-invite", args=[unit.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("coach", 200), ("quality_lead", 200), ("admin", 200), ("member", 403),
     ("partner", 403), ("outsider", 404), ("anonymous", 302)],
)  # fmt: skip
def test_it_lets_only_organisers_invite(client, as_user, org, coach, who, status):
    if who == "coach":
        client.force_login(coach)
    else:
        as_user(who)
    assert client.get(_invite_url(org["ward"])).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("quality_lead", 200), ("member", 403), ("partner", 403),
     ("outsider", 200), ("anonymous", 302)],
)  # fmt: skip
def test_it_lists_partners_to_their_organisers_only(client, as_user, invited, who, status):
    as_user(who)
    response = client.get(reverse("codesign:partner-list"))
    assert response.status_code == status
    if status == 200:  # the outsider organises their own unit, not Ann's
        assert ("Ann Fraser" in response.text) is (who != "outsider")
        assert ("Not signed in yet" in response.text) is (who != "outsider")


def test_it_invites_onto_a_project_from_the_page(
    client, lead, org, project, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    form = client.get(_invite_url(org["ward"]))
    assert f"improvement.project:{project.pk}" in form.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _invite_url(org["ward"]),
            {"display_name": "Ann Fraser", "email": "ann@example.net", "contact_by": "email",
             "to": f"improvement.project:{project.pk}"},
        )  # fmt: skip
    assert response.status_code == 302
    assert PartnerInvitation.objects.get().subject == project
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": "Ann 943 476 5919"}, "display_name"),
        ({"display_name": ""}, "display_name"),
        ({"email": "member@example.org"}, "email"),
        ({"email": "nope"}, "email"),
        ({"contact_by": "pigeon"}, "contact_by"),
        ({"to": "improvement.project:99999999999999999999"}, "to"),
        ({"to": "people.person:1"}, "to"),
        ({"to": "garbage"}, "to"),
    ],
)
def test_it_answers_bad_invitations_with_the_field_named(client, lead, member, org, data, field):
    client.force_login(lead)
    values = {"display_name": "Ann", "email": "ann@example.net", "contact_by": "email", "to": ""}
    response = client.post(_invite_url(org["ward"]), {**values, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Person.objects.filter(email="ann@example.net").exists()


def test_it_refuses_another_units_project(client, lead, org):
    elsewhere = make_project(org["other_ward"], title="Ward 8 project")  # noqa: F405
    client.force_login(lead)
    response = client.post(
        _invite_url(org["ward"]),
        {"display_name": "Ann", "email": "ann@example.net", "contact_by": "email",
         "to": f"improvement.project:{elsewhere.pk}"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not PartnerInvitation.objects.exists()


def test_it_answers_huge_and_missing_ids(client, lead):
    client.force_login(lead)
    assert client.get("/partners/units/99999999999999999999/invite/").status_code == 404
    url = reverse("codesign:partner-link-resend", args=[999999])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_it_resends_the_link(client, lead, invited, django_capture_on_commit_callbacks):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("codesign:partner-link-resend", args=[invited.profile.pk]))
    assert response.status_code == 302
    assert "/accounts/reset/" in mail.outbox[-1].body


def test_it_shows_a_partner_their_own_home_in_plain_words(client, guest, project):
    client.force_login(guest)
    response = client.get(reverse("codesign:home"))
    assert response.status_code == 200
    text = response.text
    assert "Your part in improving care" in text
    assert "The group working on" in text and project.title in text
    assert "Partners of your units" not in text  # no staff overview
    main = re.sub(r"<[^>]+>", " ", text.split('<main id="main"', 1)[1])
    for word in JARGON:
        for found in re.finditer(re.escape(word), main):
            # Jargon appears only inside the explanation of words they may see.
            assert "Words you may see" in main[: found.start()], word


def test_it_shows_staff_the_overview(client, lead):
    client.force_login(lead)
    response = client.get(reverse("codesign:home"))
    assert "Partners of your units" in response.text
    assert "Your part in improving care" not in response.text


def test_it_keeps_the_staff_directory_from_partners(client, guest, org, lead):
    client.force_login(guest)
    assert client.get(reverse("people:person-detail", args=[lead.pk])).status_code == 404
    assert client.get(reverse("codesign:partner-list")).status_code == 403
    assert client.get(org["ward"].get_absolute_url()).status_code == 404


def test_it_shows_a_partner_what_they_said_and_what_happened(client, lead, guest, project, org):
    from qms.codesign.services import yousaid

    said = contribute(lead, project, guest)  # noqa: F405
    entry = yousaid.yousaid_create(
        by=lead, unit=org["ward"], you_said="Ask families.", we_did="Families asked on admission.",
        status="doing", status_on=dt.date(2026, 11, 20), involvement=said,
    )  # fmt: skip
    client.force_login(guest)
    text = client.get(reverse("codesign:home")).text
    assert "Ask families about night-time on admission." in text
    assert "Families asked on admission." not in text  # a draft: not theirs to see yet
    yousaid.yousaid_publish(by=lead, entry=entry)
    text = client.get(reverse("codesign:home")).text
    assert "We did: Families asked on admission." in text
    board = client.get(reverse("codesign:yousaid-board", args=[org["ward"].pk])).text
    assert "From a partner's contribution to Fewer falls on Ward 7" in board


def test_it_names_a_measure_to_review_without_a_link_staff_only_pages_refuse(client, lead, org):
    from helpers import make_measure

    from qms.codesign.services import partners as services

    measure = make_measure(org["ward"], "falls")
    invitation = services.partner_invite(
        by=lead, display_name="Tom", email="tom@example.net", record=measure
    )
    tom = invitation.profile.person
    tom.set_password("a-long-partner-password-2026")
    tom.save()
    client.force_login(tom)
    text = client.get(reverse("codesign:home")).text
    assert "Reviewing the measure" in text and measure.name in text
    assert measure.get_absolute_url() not in text
    assert "shares its chart with you" in text
    assert client.get(measure.get_absolute_url()).status_code == 403
