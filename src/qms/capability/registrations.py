"""What this area tells the core and the shell about its records, called once from
`AppConfig.ready()`. One function per part of the area."""

from django.apps import apps


def register_all() -> None:
    for register in (_area, _framework, _records, _time, _gaps):
        register()


def _area() -> None:
    from qms.capability.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _framework() -> None:
    """Framework: a skill's history shows what each role needs in it, in words."""
    from qms.capability.models import ProjectRoleRequirement, RoleRequirement, Skill
    from qms.core import history

    said = {"+": "{} needs {}", "~": "{} now needs {}", "-": "{} no longer needs {}"}

    def summary(row, names) -> str:
        level = names.of(apps.get_model("capability", "Level"), row.level_id, gone="a level")
        return said[row.history_type].format(row.get_role_display(), level)

    for model in (RoleRequirement, ProjectRoleRequirement):
        history.register_summary(model, summary, names=["level"])
    history.register_related(Skill, lambda skill: RoleRequirement.history.filter(skill_id=skill.pk))
    history.register_related(
        Skill, lambda skill: ProjectRoleRequirement.history.filter(skill_id=skill.pk)
    )


def _records() -> None:
    """Records: nothing to register yet."""


def _time() -> None:
    """Time: nothing to register yet."""


def _gaps() -> None:
    """Gaps: nothing to register yet."""
