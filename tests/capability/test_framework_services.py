import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from capability.support import framework
from qms.capability import defaults
from qms.capability.models import Level, RoleRequirement, Skill
from qms.capability.services import framework as services
from qms.people.roles import Role


@pytest.fixture
def editor(org):
    return make_person("editor", (Role.QUALITY_LEAD, org["board"]))


def test_it_gives_an_organisation_the_default_framework_once(org):
    added = services.framework_ensure(org["ward"])
    assert added > 0
    assert services.framework_ensure(org["board"]) == 0
    levels = list(Level.objects.filter(organisation=org["board"]).values_list("code", flat=True))
    assert levels == ["awareness", "foundation", "practitioner", "expert"]
    assert Skill.objects.filter(organisation=org["board"]).count() == len(defaults.SKILLS)
    need = RoleRequirement.objects.get(skill__code="measurement", role=Role.TEAM_LEAD)
    assert need.level.code == "practitioner"
    # Another organisation has its own.
    assert not Level.objects.filter(organisation=org["elsewhere"]).exists()


def test_it_lets_only_framework_editors_change_the_framework(org, lead, editor, quality_lead):
    levels, skills = framework(org)
    for person in (lead, quality_lead):  # a ward lead; a division's quality lead (not the board)
        with pytest.raises(PermissionDenied):
            services.skill_create(by=person, organisation=org["board"], name="Lean")
        with pytest.raises(PermissionDenied):
            services.requirement_set(
                by=person, skill=skills["co-design"], role=Role.TEAM_MEMBER, level=None
            )
    skill = services.skill_create(by=editor, organisation=org["ward"], name=" Lean  thinking ")
    assert (skill.name, skill.organisation, skill.code) == (
        "Lean thinking",
        org["board"],
        "lean-thinking",
    )


def test_it_renames_and_retires_a_skill_with_history(org, editor):
    _levels, skills = framework(org)
    skill = services.skill_update(
        by=editor, skill=skills["spread-and-sustain"], name="Spread and sustainability"
    )
    services.skill_retire(by=editor, skill=skill, reason="Folded into leading change")
    skill.refresh_from_db()
    assert skill.retired
    reasons = list(skill.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["Folded into leading change", "Changed"]
    assert skill.history.first().history_user == editor
    services.skill_restore(by=editor, skill=skill)
    assert Skill.objects.get(pk=skill.pk).retired_at is None


def test_it_refuses_a_nameless_or_taken_name(org, editor):
    levels, skills = framework(org)
    with pytest.raises(ValidationError) as nameless:
        services.skill_create(by=editor, organisation=org["board"], name="  ")
    assert "name" in nameless.value.message_dict
    with pytest.raises(ValidationError) as taken:
        services.skill_update(by=editor, skill=skills["co-design"], name="LEADING CHANGE AND TEAMS")
    assert "already" in taken.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.level_update(by=editor, level=levels["expert"], name="Expert", covers="")


def test_it_sets_changes_and_removes_what_a_role_needs(org, editor):
    levels, skills = framework(org)
    skill = skills["co-design"]
    services.requirement_set(
        by=editor, skill=skill, role=Role.TEAM_MEMBER, level=levels["foundation"]
    )
    assert (
        RoleRequirement.objects.get(skill=skill, role=Role.TEAM_MEMBER).level.code == "foundation"
    )
    services.requirement_set(by=editor, skill=skill, role=Role.TEAM_MEMBER, level=None)
    assert not RoleRequirement.objects.filter(skill=skill, role=Role.TEAM_MEMBER).exists()
    with pytest.raises(ValidationError):
        services.requirement_set(by=editor, skill=skill, role=Role.PARTNER, level=levels["expert"])
    services.framework_ensure(org["elsewhere"])
    foreign = Level.objects.get(organisation=org["elsewhere"], code="expert")
    with pytest.raises(ValidationError):
        services.requirement_set(by=None, skill=skill, role=Role.TEAM_LEAD, level=foreign)
