"""Sharing by choice: with the staff of a unit where the author works (not its partners, not
leads of other units, not a system administrator as such), or with a learning network the author
belongs to (its members, partners given a role on it included); and private again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import write
from qms.learning.selectors import reflection as selectors
from qms.learning.services import reflection as services


def _status(client, user, reflection):
    client.force_login(user)
    return client.get(reverse("learning:reflection-detail", args=[reflection.pk])).status_code


def test_it_shares_with_the_units_staff_and_no_one_else(
    client, nurse, reflection, org, member, lead, quality_lead, partner, ward8, outsider, admin
):
    client.force_login(nurse)
    url = reverse("learning:reflection-share", args=[reflection.pk])
    response = client.post(url, {"sharing": "unit", "shared_unit": org["ward"].pk})
    assert response.status_code == 302
    reflection.refresh_from_db()
    assert (reflection.sharing, reflection.shared_unit) == ("unit", org["ward"])
    # Staff of the ward and the leads above it read it; a partner, another ward, another board
    # and the system administrator (no staff role of their own there) do not.
    for reader in (member, lead, quality_lead):
        assert _status(client, reader, reflection) == 200
    for stranger in (partner, ward8, outsider, admin):
        assert _status(client, stranger, reflection) == 404
    client.force_login(member)
    page = client.get(reverse("learning:reflection-detail", args=[reflection.pk]))
    assert "Nina Nurse" in page.text and "Propose a falls field" in page.text
    assert "Change it" not in page.text and "NMC reflective account" not in page.text
    assert "Handover after a fall" in client.get(reverse("learning:reflection-shared")).text
    unit_page = client.get(reverse("learning:unit-learning", args=[org["ward"].pk]))
    assert "Handover after a fall" in unit_page.text
    # Readers read; they do not export, change or delete.
    for name in ("reflection-nmc", "reflection-nmc-pdf", "reflection-edit", "reflection-delete"):
        assert client.get(reverse(f"learning:{name}", args=[reflection.pk])).status_code == 404


def test_it_makes_a_shared_reflection_private_again(client, nurse, org, member):
    reflection = write(nurse, sharing="unit", shared_unit=org["ward"])
    assert _status(client, member, reflection) == 200
    client.force_login(nurse)
    url = reverse("learning:reflection-share", args=[reflection.pk])
    assert client.post(url, {"sharing": "private"}).status_code == 302
    reflection.refresh_from_db()
    assert (reflection.sharing, reflection.shared_unit) == ("private", None)
    assert _status(client, member, reflection) == 404
    client.force_login(member)
    assert "Handover after a fall" not in client.get(reverse("learning:reflection-shared")).text


def test_it_refuses_to_share_with_a_unit_where_the_author_does_not_work(
    client, nurse, reflection, org
):
    with pytest.raises(ValidationError) as error:
        services.reflection_share(
            by=nurse, reflection=reflection, sharing="unit", shared_unit=org["other_ward"]
        )
    assert "shared_unit" in error.value.message_dict
    client.force_login(nurse)
    url = reverse("learning:reflection-share", args=[reflection.pk])
    client.post(url, {"sharing": "unit", "shared_unit": org["other_ward"].pk})
    reflection.refresh_from_db()
    assert reflection.sharing == "private"


def test_it_refuses_a_unit_without_a_unit_and_a_network_the_author_is_not_in(
    nurse, reflection, org
):
    from qms.learning.models import Network

    elsewhere = Network.objects.create(unit=org["elsewhere"], name="Elsewhere", topic="Other")
    with pytest.raises(ValidationError):
        services.reflection_share(by=nurse, reflection=reflection, sharing="unit")
    with pytest.raises(ValidationError):
        services.reflection_share(
            by=nurse, reflection=reflection, sharing="network", shared_network=elsewhere
        )
    with pytest.raises(ValidationError):
        services.reflection_share(by=nurse, reflection=reflection, sharing="everyone")


def test_it_shares_with_a_network_its_members_partners_included(
    client, nurse, reflection, network, net_partner, member, ward8, org
):
    services.reflection_share(
        by=nurse, reflection=reflection, sharing="network", shared_network=network
    )
    # A partner given a role on the network reads it; the network's host ward's staff are
    # its members too; a colleague on Ward 7 outside the network does not read it.
    assert _status(client, net_partner, reflection) == 200
    assert _status(client, ward8, reflection) == 200
    assert _status(client, member, reflection) == 404
    client.force_login(net_partner)
    page = client.get(reverse("learning:network-learning", args=[network.pk]))
    assert page.status_code == 200 and "Handover after a fall" in page.text
    client.force_login(member)
    assert client.get(reverse("learning:network-learning", args=[network.pk])).status_code == 404


def test_it_lets_only_the_author_change_share_or_delete(nurse, reflection, lead, admin):
    for person in (lead, admin, None):
        with pytest.raises(PermissionDenied):
            services.reflection_update(by=person, reflection=reflection, title="Mine now")
        with pytest.raises(PermissionDenied):
            services.reflection_share(by=person, reflection=reflection, sharing="private")
        with pytest.raises(PermissionDenied):
            services.reflection_delete(by=person, reflection=reflection)
    services.reflection_delete(by=nurse, reflection=reflection)
    assert not selectors.my_reflections(nurse).exists()


def test_it_writes_edits_and_deletes_a_reflection_through_its_pages(client, nurse, org):
    client.force_login(nurse)
    form = client.get(reverse("learning:reflection-create"))
    assert "What were you thinking and feeling" in form.text and "Preserve safety" in form.text
    data = {
        "title": "Night handover",
        "happened_on": "2026-05-04",
        "description": "A fall at handover.",
        "action_plan": "Ask about falls.",
        "code_themes": ["safety", "people"],
        "sharing": "private",
    }
    response = client.post(reverse("learning:reflection-create"), data)
    assert response.status_code == 302
    reflection = selectors.my_reflections(nurse).get()
    assert reflection.code_themes == ["people", "safety"] and reflection.author == nurse
    edit = reverse("learning:reflection-edit", args=[reflection.pk])
    assert client.post(edit, data | {"title": "Night handover, again"}).status_code == 302
    reflection.refresh_from_db()
    assert reflection.title == "Night handover, again"
    assert (
        client.post(reverse("learning:reflection-delete", args=[reflection.pk])).status_code == 302
    )
    assert not selectors.my_reflections(nurse).exists()


def test_it_prefills_the_subject_from_a_record_the_author_sees(client, nurse, issue, project):
    client.force_login(nurse)
    url = reverse("learning:reflection-create") + f"?subject=issues.issue:{issue.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "Missed observations at night" in page.text
    data = {"title": "T", "happened_on": "2026-05-04", "description": "D", "sharing": "private"}
    assert client.post(url, data).status_code == 302
    assert selectors.my_reflections(nurse).get().subject == issue
    project_url = (
        reverse("learning:reflection-create") + f"?subject=improvement.project:{project.pk}"
    )
    assert client.get(project_url).status_code == 200


@pytest.mark.parametrize(
    "subject",
    ["people.person:1", "issues.issue:999999", "nonsense", "control.signal:abc", "issues.issue:"],
)
def test_it_answers_404_to_a_subject_that_is_not_one(client, nurse, subject):
    client.force_login(nurse)
    url = reverse("learning:reflection-create") + f"?subject={subject}"
    assert client.get(url).status_code == 404


def test_it_answers_404_to_a_subject_of_another_unit(client, ward8, issue):
    client.force_login(ward8)
    url = reverse("learning:reflection-create") + f"?subject=issues.issue:{issue.pk}"
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        write(ward8, subject=issue)


def test_it_keeps_a_closed_networks_reflections_for_its_members_but_takes_no_new_ones(
    client, nurse, reflection, network, net_partner
):
    services.reflection_share(
        by=nurse, reflection=reflection, sharing="network", shared_network=network
    )
    network.status = "closed"
    network.save()
    assert _status(client, net_partner, reflection) == 200
    other = write(nurse, title="Another")
    with pytest.raises(ValidationError):
        services.reflection_share(
            by=nurse, reflection=other, sharing="network", shared_network=network
        )


def test_it_links_the_networks_page_to_what_its_members_shared(
    client, nurse, reflection, network, net_partner
):
    services.reflection_share(
        by=nurse, reflection=reflection, sharing="network", shared_network=network
    )
    client.force_login(net_partner)
    page = client.get(network.get_absolute_url())
    assert page.status_code == 200
    assert "1 reflection shared with the network" in page.text
    assert reverse("learning:network-learning", args=[network.pk]) in page.text
