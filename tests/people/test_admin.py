"""The Django admin writes through the services: the same checks, history and consequences as
the product's own pages (admin access follows the system administrator role; a measure's new
definition is checked against its data and its results refreshed)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from helpers import make_person

from qms.people import services
from qms.people.models import Membership, ObjectGrant, Person
from qms.people.roles import Role


@pytest.fixture
def colleague(org):
    """A second system administrator, whose admin access the tests take away."""
    return make_person("colleague", (Role.SYSTEM_ADMINISTRATOR, org["board"]))


def _is_admin(person) -> bool:
    person.refresh_from_db()
    return person.is_superuser and person.is_staff


def test_removing_a_system_administrators_membership_in_the_admin_closes_their_access(
    client, admin, colleague
):
    membership = colleague.memberships.get()
    client.force_login(admin)
    response = client.post(f"/admin/people/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not _is_admin(colleague)
    assert membership.history.latest().history_user == admin


def test_bulk_delete_of_memberships_closes_admin_access_too(client, org, admin, colleague):
    other = make_person("other", (Role.SYSTEM_ADMINISTRATOR, org["division"]))
    ids = [colleague.memberships.get().pk, other.memberships.get().pk]
    client.force_login(admin)
    response = client.post(
        "/admin/people/membership/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=ids).exists()
    assert not _is_admin(colleague) and not _is_admin(other)
    assert {r.history_change_reason for r in Membership.history.filter(id__in=ids)} >= {
        "Removed in admin"
    }


def _membership_form(membership, **changes):
    data = {"person": membership.person_id, "unit": membership.unit_id, "role": membership.role}
    return {**data, **changes, "_save": "Save"}


def test_changing_a_system_administrators_role_in_the_admin_closes_their_access(
    client, admin, colleague
):
    membership = colleague.memberships.get()
    client.force_login(admin)
    response = client.post(
        f"/admin/people/membership/{membership.pk}/change/",
        _membership_form(membership, role=Role.ANALYST),
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == Role.ANALYST
    assert not _is_admin(colleague)


def test_giving_the_role_in_the_admin_opens_access(client, admin, member):
    membership = member.memberships.get()
    client.force_login(admin)
    client.post(
        f"/admin/people/membership/{membership.pk}/change/",
        _membership_form(membership, role=Role.SYSTEM_ADMINISTRATOR),
    )
    assert _is_admin(member)


def test_adding_the_role_in_the_admin_opens_access(client, org, admin, member):
    client.force_login(admin)
    response = client.post(
        "/admin/people/membership/add/",
        {"person": member.pk, "unit": org["board"].pk, "role": Role.SYSTEM_ADMINISTRATOR},
    )
    assert response.status_code == 302
    assert _is_admin(member)


def test_the_person_form_cannot_make_a_superuser(client, admin, member):
    client.force_login(admin)
    form = {
        "username": "member", "first_name": "", "last_name": "", "email": "m@example.org",
        "display_name": "Member", "job_title": "Charge nurse", "professional_group": "",
        "is_active": "on", "is_superuser": "on", "is_staff": "on", "_save": "Save",
    }  # fmt: skip
    response = client.post(f"/admin/people/person/{member.pk}/change/", form)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.job_title == "Charge nurse"
    assert not (member.is_superuser or member.is_staff)


def test_an_account_added_in_the_admin_is_made_by_the_service(client, admin):
    client.force_login(admin)
    response = client.post(
        "/admin/people/person/add/",
        {
            "username": "newcomer", "usable_password": "true",
            "password1": "a-long-passphrase-7", "password2": "a-long-passphrase-7",
            "display_name": "New Comer", "email": "new@example.org", "job_title": "",
            "professional_group": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    newcomer = Person.objects.get(username="newcomer")
    assert newcomer.display_name == "New Comer" and newcomer.check_password("a-long-passphrase-7")
    assert not newcomer.is_superuser


def test_units_are_not_deleted_in_the_admin(client, org, admin):
    client.force_login(admin)
    response = client.post(f"/admin/people/unit/{org['other_ward'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert org["other_ward"].__class__.objects.filter(pk=org["other_ward"].pk).exists()


# Grants: given and removed through the services, never edited ----------------------------------


def _grant_form(person, record, role):
    return {
        "person": person.pk,
        "content_type": ContentType.objects.get_for_model(record).pk,
        "object_id": record.pk,
        "role": role,
    }


def test_a_grant_added_in_the_admin_is_given_by_the_service(client, admin, measure, visitor):
    client.force_login(admin)
    response = client.post(
        "/admin/people/objectgrant/add/", _grant_form(visitor, measure, Role.ANALYST)
    )
    assert response.status_code == 302
    grant = ObjectGrant.objects.get()
    assert (grant.subject, grant.granted_by) == (measure, admin)
    assert grant.history.get().history_user == admin


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": Role.SYSTEM_ADMINISTRATOR}, "role"),
        ({"object_id": 999999}, "object_id"),
        ({"content_type": "membership"}, "content_type"),
    ],
)
def test_a_bad_grant_in_the_admin_is_refused_naming_the_field(
    client, admin, member, measure, visitor, change, field
):
    form = _grant_form(visitor, measure, Role.ANALYST)
    if change.get("content_type") == "membership":
        change = {"content_type": ContentType.objects.get_for_model(Membership).pk}
        form["object_id"] = member.memberships.get().pk
    form.update(change)
    client.force_login(admin)
    response = client.post("/admin/people/objectgrant/add/", form)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not ObjectGrant.objects.exists()


def test_a_grant_removed_in_the_admin_is_removed_by_the_service(
    client, admin, lead, measure, visitor
):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    client.force_login(admin)
    response = client.post(f"/admin/people/objectgrant/{grant.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ObjectGrant.objects.exists()
    ended = ObjectGrant.history.latest()
    assert (ended.history_user, ended.history_change_reason) == (admin, "Removed in admin")


def test_a_grant_is_not_edited_in_the_admin(client, admin, lead, measure, visitor):
    grant = services.grant_give(by=lead, record=measure, person=visitor, role=Role.ANALYST)
    client.force_login(admin)
    form = _grant_form(visitor, measure, Role.TEAM_LEAD)
    client.post(f"/admin/people/objectgrant/{grant.pk}/change/", form)
    grant.refresh_from_db()
    assert grant.role == Role.ANALYST
