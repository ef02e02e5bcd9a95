import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_person

from capability.support import assess, framework
from qms.capability.models import Assessment, AssessmentStatus, ProtectedTime, Skill, Training
from qms.people.roles import Role

HUGE = 2**70


@pytest.fixture
def editor(org):
    return make_person("editor", (Role.QUALITY_LEAD, org["board"]))


@pytest.fixture
def colleague(org):
    return make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


# The framework ---------------------------------------------------------------------------------


def test_it_shows_the_framework_to_staff_anywhere_in_the_organisation(client, org, member):
    response = _get(client, member, reverse("capability:framework", args=[org["board"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Practitioner" in text and "The model for improvement and PDSA" in text
    assert "Add a skill" not in text


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_it_hides_the_framework_from_partners_and_outsiders(client, org, request, who):
    user = request.getfixturevalue(who)
    url = reverse("capability:framework", args=[org["board"].pk])
    assert _get(client, user, url).status_code == 404
    assert _get(client, user, reverse("capability:framework", args=[HUGE])).status_code == 404
    assert (
        _get(client, user, reverse("capability:framework", args=[org["ward"].pk])).status_code
        == 404
    )


def test_it_lets_only_framework_editors_change_the_framework(
    client, org, lead, quality_lead, editor
):
    _levels, skills = framework(org)
    urls = [
        reverse("capability:skill-create", args=[org["board"].pk]),
        reverse("capability:skill-edit", args=[skills["co-design"].pk]),
    ]
    for user in (lead, quality_lead):
        for url in urls:
            assert _get(client, user, url).status_code == 403
        assert (
            client.post(
                reverse("capability:skill-retire", args=[skills["co-design"].pk])
            ).status_code
            == 403
        )
    client.force_login(editor)
    response = client.post(urls[0], {"name": "Lean thinking", "covers": "Flow, waste, value"})
    skill = Skill.objects.get(name="Lean thinking")
    assert response.status_code == 302 and response["Location"].endswith(f"/skills/{skill.pk}/")
    assert client.post(urls[0], {"name": ""}).status_code == 400
    assert client.post(urls[0], {"name": "LEAN THINKING"}).status_code == 400


def test_it_sets_what_roles_need_in_a_skill(client, org, editor):
    levels, skills = framework(org)
    skill = skills["co-design"]
    client.force_login(editor)
    url = reverse("capability:skill-edit", args=[skill.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Role on a project" in page.content.decode()
    data = {"form": "needs", "needs-role-team_member": str(levels["foundation"].pk)}
    response = client.post(url, data)
    assert response.status_code == 302
    assert skill.role_requirements.get(role=Role.TEAM_MEMBER).level == levels["foundation"]
    # Every role left blank is no longer needed.
    assert not skill.role_requirements.filter(role=Role.TEAM_LEAD).exists()
    bad = client.post(url, {"form": "needs", "needs-role-team_member": "999999999999999999999"})
    assert bad.status_code == 400
    history = client.get(url).content.decode()
    assert "Team member now needs Foundation" in history


def test_it_retires_and_restores_a_skill(client, org, editor):
    _levels, skills = framework(org)
    skill = skills["spread-and-sustain"]
    client.force_login(editor)
    url = reverse("capability:skill-retire", args=[skill.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    assert Skill.objects.get(pk=skill.pk).retired
    page = client.get(reverse("capability:framework", args=[org["board"].pk])).content.decode()
    assert "Retired skills" in page
    client.post(url)
    assert not Skill.objects.get(pk=skill.pk).retired


def test_it_changes_a_level(client, org, editor, member):
    levels, _skills = framework(org)
    url = reverse("capability:level-edit", args=[levels["expert"].pk])
    assert _get(client, member, url).status_code == 403
    client.force_login(editor)
    response = client.post(url, {"name": "Leader", "covers": "Leads improvement", "who": ""})
    assert response.status_code == 302
    assert client.post(url, {"name": "Leader", "covers": ""}).status_code == 400
    assert _get(client, editor, reverse("capability:level-edit", args=[HUGE])).status_code == 404


# A person's record -----------------------------------------------------------------------------


def test_it_shows_a_record_to_the_person_and_their_lead_only(
    client, org, lead, member, colleague, partner, outsider, admin
):
    levels, skills = framework(org)
    assess(member, skills["measurement"], levels["foundation"], by=lead)
    url = reverse("capability:person", args=[member.pk])
    for user in (member, lead, admin):
        response = _get(client, user, url)
        assert response.status_code == 200, user
        assert "Foundation" in response.content.decode()
    for user in (colleague, partner, outsider):
        assert _get(client, user, url).status_code == 404, user
    other_lead = make_person("olead", (Role.TEAM_LEAD, org["other_ward"]))
    assert _get(client, other_lead, url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert _get(client, lead, reverse("capability:person", args=[HUGE])).status_code == 404
    # A partner has no staff record, even for their lead.
    assert _get(client, lead, reverse("capability:person", args=[partner.pk])).status_code == 404


def test_it_records_a_leads_assessment_and_a_self_assessment(client, org, lead, member, colleague):
    levels, skills = framework(org)
    url = reverse("capability:assessment-add", args=[member.pk])
    data = {
        "skill": skills["measurement"].pk,
        "level": levels["practitioner"].pk,
        "assessed_on": "2026-01-10",
        "evidence": "Led the falls project's run charts",
    }
    client.force_login(lead)
    assert client.post(url, data).status_code == 302
    assert Assessment.objects.get(person=member).status == AssessmentStatus.CONFIRMED
    client.force_login(member)
    data["skill"] = skills["co-design"].pk
    assert client.post(url, data).status_code == 302
    pending = Assessment.objects.get(person=member, skill=skills["co-design"])
    assert pending.status == AssessmentStatus.PENDING
    confirm = reverse("capability:assessment-confirm", args=[pending.pk])
    assert client.post(confirm).status_code == 403  # not one's own
    client.force_login(colleague)
    assert client.post(url, data).status_code == 404
    assert client.post(confirm).status_code == 404
    client.force_login(lead)
    assert client.post(confirm).status_code == 302
    assert Assessment.objects.get(pk=pending.pk).status == AssessmentStatus.CONFIRMED
    assert client.post(reverse("capability:assessment-confirm", args=[HUGE])).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"skill": "999999999999999999999999"},
        {"skill": ""},
        {"level": "abc"},
        {"assessed_on": "2999-01-01"},
        {"assessed_on": "yesterday"},
        {"evidence": "x" * 3000},
        {"evidence": "Patient NHS 943 476 5919"},
    ],
)
def test_it_refuses_bad_assessments_saying_why(client, org, lead, member, change):
    levels, skills = framework(org)
    data = {
        "skill": skills["measurement"].pk,
        "level": levels["expert"].pk,
        "assessed_on": "2026-01-10",
    }
    data.update(change)
    client.force_login(lead)
    response = client.post(reverse("capability:assessment-add", args=[member.pk]), data)
    assert response.status_code == 400
    assert "Nothing has been saved" in response.content.decode()
    assert not Assessment.objects.exists()


def test_it_records_training_and_time(client, org, lead, member):
    levels, skills = framework(org)
    client.force_login(member)
    training = {
        "course": "Scottish Improvement Foundation Skills",
        "provider": "NHS Education for Scotland",
        "completed_on": "2026-02-01",
        "hours": "12",
        "skill": skills["model-for-improvement"].pk,
        "level": levels["foundation"].pk,
    }
    assert (
        client.post(reverse("capability:training-add", args=[member.pk]), training).status_code
        == 302
    )
    assert Training.objects.get(person=member).recorded_by == member
    bad = dict(training, hours="-1", completed_on="")
    assert client.post(reverse("capability:training-add", args=[member.pk]), bad).status_code == 400
    time_url = reverse("capability:time-add", args=[member.pk])
    assert (
        client.post(time_url, {"month": "2026-01", "planned": "8", "used": "2"}).status_code == 400
    )
    response = client.post(
        time_url, {"month": "2026-01", "planned": "8", "used": "2", "reason": "Winter pressures"}
    )
    assert response.status_code == 302
    assert ProtectedTime.objects.get(person=member).month == dt.date(2026, 1, 1)
    for bad_time in ({"month": "January", "planned": "8"}, {"month": "2026-01", "planned": "1e9"}):
        assert client.post(time_url, bad_time).status_code == 400
    assert client.get(time_url).status_code == 405
    page = client.get(reverse("capability:person", args=[member.pk])).content.decode()
    assert "Winter pressures" in page and "Scottish Improvement Foundation Skills" in page


# A unit's gap ------------------------------------------------------------------------------------


def test_it_shows_a_units_gap_to_its_staff_and_who_is_short_to_its_leads(
    client, org, lead, member, partner, outsider
):
    levels, skills = framework(org)
    assess(member, skills["measurement"], levels["awareness"], by=lead)
    url = reverse("capability:unit-gap", args=[org["ward"].pk])
    lead_page = _get(client, lead, url).content.decode()
    assert "Who needs what" in lead_page and "Member" in lead_page
    member_page = _get(client, member, url)
    assert member_page.status_code == 200
    assert "Who needs what" not in member_page.content.decode()
    assert _get(client, partner, url).status_code == 403
    assert _get(client, outsider, url).status_code == 404
    assert _get(client, lead, reverse("capability:unit-gap", args=[HUGE])).status_code == 404


def test_it_shows_the_home_page_to_staff_only(client, org, member, partner):
    response = _get(client, member, reverse("capability:home"))
    assert response.status_code == 200
    assert reverse("capability:unit-gap", args=[org["ward"].pk]) in response.content.decode()
    assert _get(client, partner, reverse("capability:home")).status_code == 404
    assert _get(client, member, reverse("capability:me")).status_code == 302


def test_it_lists_self_assessments_for_the_leads_who_may_confirm_them(
    client, org, lead, member, colleague, outsider
):
    levels, skills = framework(org)
    assess(member, skills["co-design"], levels["practitioner"], by=member)
    other = make_person("other", (Role.TEAM_MEMBER, org["other_ward"]))
    assess(other, skills["co-design"], levels["expert"], by=other)
    page = _get(client, lead, reverse("capability:home")).content.decode()
    assert "waiting for you to confirm" in page
    assert "practitioner in co-design" in page and "Other" not in page
    for user in (member, colleague, outsider):
        response = _get(client, user, reverse("capability:home"))
        assert response.status_code == 404 or "waiting for you" not in response.content.decode()


def test_it_scrolls_every_table_in_place_on_a_narrow_screen(client, org, lead, member):
    """Wide tables scroll inside a focusable region, never the whole page at 320 px."""
    levels, skills = framework(org)
    assess(member, skills["model-for-improvement"], levels["foundation"], by=lead)
    client.force_login(lead)
    for url in (
        reverse("capability:person", args=[member.pk]),
        reverse("capability:framework", args=[org["board"].pk]),
        reverse("capability:unit-gap", args=[org["ward"].pk]),
    ):
        text = client.get(url).content.decode()
        tables = text.count("<table")
        assert tables and tables == text.count('class="table-scroll" role="region"'), url
