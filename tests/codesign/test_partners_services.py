"""Inviting partners: a new account with the partner role on one piece of work or in a unit and a
link to set a password; an existing partner reused; staff addresses, identifiers in names and
people who are not organisers refused, with nothing saved."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from codesign.partners_support import *  # noqa: F403
from qms.codesign.models import PartnerInvitation, PartnerProfile
from qms.codesign.services import partners as services
from qms.notifications.models import Notification
from qms.people import access
from qms.people.models import Person, ProfessionalGroup
from qms.people.roles import Role


def test_it_makes_a_partner_account_on_one_project(
    lead, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.partner_invite(
            by=lead, display_name="  Ann   Fraser ", email="Ann@Example.net", record=project
        )
    person = invitation.profile.person
    assert person.display_name == "Ann Fraser"
    assert person.username == "ann@example.net"
    assert person.professional_group == ProfessionalGroup.PUBLIC
    assert not person.has_usable_password()
    assert access.roles_on(person, project) == {Role.PARTNER}
    assert not access.can_see_unit(person, project.unit)
    assert invitation.new_account and invitation.subject == project
    assert invitation.profile.unit == project.unit
    (message,) = mail.outbox
    assert message.to == ["Ann@example.net"]  # the domain normalised
    assert "/accounts/reset/" in message.body and "Fewer falls on Ward 7" in message.body


def test_it_lets_the_link_set_a_password(client, invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_link_resend(by=None, profile=invited.profile)
    link = [line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line][0]
    path = link[link.index("/accounts/") :]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    password = "a-long-partner-password-2026"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302
    person = Person.objects.get(pk=invited.profile.person_id)
    assert person.check_password(password)
    assert client.get(path, follow=True).context["validlink"] is False  # used once only


def test_it_adds_further_work_to_an_existing_partner_without_a_second_account(
    lead, invited, org, django_capture_on_commit_callbacks
):
    other = services.partner_invite(
        by=lead, display_name="Ann F", email="ANN@example.net", unit=org["ward"]
    )
    assert other.profile == invited.profile
    assert not other.new_account
    assert Person.objects.filter(email__iexact="ann@example.net").count() == 1
    assert PartnerProfile.objects.count() == 1
    person = other.profile.person
    assert access.roles_in(person, org["ward"]) == {Role.PARTNER}
    assert person.display_name == "Ann Fraser"  # their own name is theirs to change


def test_it_refuses_the_same_work_twice(lead, invited, project):
    with pytest.raises(ValidationError) as error:
        services.partner_invite(
            by=lead, display_name="Ann Fraser", email="ann@example.net", record=project
        )
    assert "already part of" in str(error.value.message_dict["email"])
    assert PartnerInvitation.objects.count() == 1


def test_it_refuses_a_staff_members_address(lead, member, project):
    with pytest.raises(ValidationError) as error:
        services.partner_invite(
            by=lead, display_name="Owen", email="member@example.org", record=project
        )
    assert "staff account" in str(error.value.message_dict["email"])
    assert not access.granted_roles(member, project)


@pytest.mark.parametrize(
    "name",
    ["Ann Fraser 943 476 5919", "Ann Fraser DOB 12/03/1954", "Ann\x00Fraser", "", "A" * 151],
)
def test_it_refuses_identifiers_and_bad_names(lead, project, name):
    with pytest.raises(ValidationError) as error:
        services.partner_invite(by=lead, display_name=name, email="x@example.net", record=project)
    assert "display_name" in error.value.message_dict
    assert not Person.objects.filter(email="x@example.net").exists()


def test_it_refuses_a_bad_address_and_saves_nothing(lead, project):
    with pytest.raises(ValidationError) as error:
        services.partner_invite(by=lead, display_name="Ann", email="not an address", record=project)
    assert "email" in error.value.message_dict
    assert not PartnerProfile.objects.exists()
    assert Person.objects.filter(username="not an address").count() == 0


def test_it_lets_a_coach_invite_into_their_unit(coach, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.partner_invite(
            by=coach, display_name="Bill Stewart", email="bill@example.net", unit=org["ward"],
            contact_by="phone",
        )  # fmt: skip
    assert invitation.profile.contact_by == "phone"
    assert access.roles_in(invitation.profile.person, org["ward"]) == {Role.PARTNER}
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_those_who_do_not_organise(request, who, project):
    with pytest.raises(PermissionDenied):
        services.partner_invite(
            by=request.getfixturevalue(who), display_name="Ann", email="a@example.net",
            record=project,
        )  # fmt: skip
    assert not Person.objects.filter(email="a@example.net").exists()


def test_it_tells_an_existing_partner_in_their_inbox(lead, invited, org):
    person = invited.profile.person
    person.set_password("a-long-partner-password-2026")
    person.save()
    services.partner_invite(by=lead, display_name="Ann", email=person.email, unit=org["ward"])
    assert Notification.objects.filter(person=person, text__contains="Ward 7").exists()


def test_it_sends_no_second_link_to_a_partner_with_a_password(invited):
    person = invited.profile.person
    person.set_password("a-long-partner-password-2026")
    person.save()
    with pytest.raises(ValidationError):
        services.partner_link_resend(by=None, profile=invited.profile)


def test_it_registers_an_existing_partner_but_not_staff(lead, partner, member, org):
    profile = services.partner_register(by=lead, person=partner, unit=org["ward"])
    assert profile.unit == org["ward"]
    with pytest.raises(ValidationError):
        services.partner_register(by=lead, person=partner, unit=org["ward"])
    with pytest.raises(ValidationError):
        services.partner_register(by=lead, person=member, unit=org["ward"])
