"""What quality improvement tells the core and the shell about its records, called once from
`ImprovementConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_projects, _diagram, _cycles, _methods, _spread):
        register()


def _projects() -> None:
    """The area in the shell; projects' discussions, inbox entries, history, issue source."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from qms.comments import registry as comments
    from qms.core import history
    from qms.improvement import roles
    from qms.improvement.area import AREA
    from qms.improvement.models import Project, ProjectMeasure
    from qms.issues.models import IssueSource
    from qms.issues.registry import register_source
    from qms.notifications import registry as notifications
    from qms.people.models import ObjectGrant
    from qms.people.roles import ALL_ROLES
    from qms.web import areas

    areas.register(AREA)
    # A blocker the team cannot remove is raised as an issue from the project (and escalated
    # as an issue); the project page lists them.
    register_source(Project, IssueSource.PROJECT_BLOCKER)
    # The unit's staff read a project's discussion; its team (partners as equals, through
    # their roles on the project) read and write it, with the unit's leads and coaches.
    comments.register(
        Project,
        read_roles=roles.VIEWERS,
        write_roles=roles.TEAM,
        granted_roles=roles.TEAM_GRANTED,
    )
    notifications.register(
        Project,
        read_roles=ALL_ROLES,
        queryset=lambda: Project.objects.select_related("unit"),
        detail=lambda project: project.get_stage_display().lower(),
    )
    # A project's history shows its measures' links and its team's roles too.
    linked = {
        "+": "Linked “{}” as {} measure",
        "~": "“{}” is now its {} measure",
        "-": "Unlinked “{}” ({} measure)",
    }

    def link_summary(row, names) -> str:
        measure = names.of(apps.get_model("control", "Measure"), row.measure_id, gone="a measure")
        return linked[row.history_type].format(measure, row.get_role_display().lower())

    history.register_summary(ProjectMeasure, link_summary, names=["measure"])
    history.register_related(
        Project, lambda project: ProjectMeasure.history.filter(project_id=project.pk)
    )
    history.register_related(
        Project,
        lambda project: ObjectGrant.history.filter(
            content_type=ContentType.objects.get_for_model(Project), object_id=project.pk
        ),
    )


def _diagram() -> None:
    """Driver nodes and prototypes: a prototype's discussion is its feedback, with pictures and
    files as attachments."""
    from qms.comments import registry as comments
    from qms.improvement.models import Prototype
    from qms.people.roles import ALL_ROLES

    # Anyone who may open the prototype's page reads and adds feedback: the unit's staff and
    # everyone given a role on the project, partners included (qms.people.access.roles_on).
    comments.register(Prototype, read_roles=ALL_ROLES, write_roles=ALL_ROLES)


def _cycles() -> None:
    """PDSA cycles: their inbox entries (stage and due date) and their discussion."""
    from qms.comments import registry as comments
    from qms.core import history
    from qms.improvement import roles as improvement_roles
    from qms.improvement.models import CycleStage, PdsaCycle, Prediction
    from qms.notifications import registry as notifications
    from qms.people import access
    from qms.people.roles import ALL_ROLES

    def detail(cycle: PdsaCycle) -> str:
        if cycle.stage == CycleStage.DONE:
            return "done"
        return f"{cycle.get_stage_display().lower()}, due {cycle.ends_on:%d %b %Y}"

    notifications.register(
        PdsaCycle,
        read_roles=ALL_ROLES,
        queryset=lambda: PdsaCycle.objects.select_related("project__unit"),
        detail=detail,
    )
    # Staff discuss a cycle on its page, as they do its project; partners given a role on the
    # project read it (and write their part in the cycle's Do and Study). A partner of the
    # unit who is not on the project reads nothing of it: partner is not among the unit roles
    # that count.
    comments.register(
        PdsaCycle,
        read_roles=improvement_roles.VIEWERS,
        write_roles=improvement_roles.VIEWERS,
        also_readable_by=lambda user, cycle: bool(
            access.granted_roles(user, cycle) & improvement_roles.GRANTED_VIEWERS
        ),
    )
    # A cycle's history shows its predictions' too.
    history.register_related(PdsaCycle, lambda cycle: Prediction.history.filter(cycle_id=cycle.pk))
    history.register_summary(
        Prediction,
        lambda row, names: (
            f"Prediction “{row.prediction[:60]}” {history.ACTIONS[row.history_type]}"
        ),
    )


def _methods() -> None:
    """A3, co-design stages and milestones: milestones in the inbox (overdue reminders), with
    whether each is done."""
    from qms.improvement.models import Milestone
    from qms.notifications import registry as notifications
    from qms.people.roles import ALL_ROLES

    notifications.register(
        Milestone,
        read_roles=ALL_ROLES,
        queryset=lambda: Milestone.objects.select_related("project__unit"),
        detail=lambda m: f"done {m.done_on:%d %b %Y}" if m.done_on else f"due {m.due_on:%d %b %Y}",
    )


def _spread() -> None:
    """Change packages, adoptions and progress assessments: a package's discussion and
    attachments (read by the project's people, written by its team), packages and adoptions
    in the inbox."""
    from qms.comments import registry as comments
    from qms.improvement import roles
    from qms.improvement.models import Adoption, ChangePackage, PackageStatus
    from qms.improvement.selectors.spread import may_read_published
    from qms.notifications import registry as notifications
    from qms.people.roles import ALL_ROLES

    # A published package's discussion and files (the how-to's forms, posters) are read by
    # the staff who may adopt it, wherever they work; its team writes.
    comments.register(
        ChangePackage,
        read_roles=ALL_ROLES,
        write_roles=roles.TEAM | roles.TEAM_GRANTED,
        also_readable_by=lambda user, package: (
            package.status != PackageStatus.DRAFT and may_read_published(user)
        ),
    )
    # The project's lead hears of adoptions with the package as the subject (the adoption
    # lives in another unit, where the lead holds no role), linking to the adoption.
    notifications.register(
        ChangePackage,
        read_roles=ALL_ROLES,
        queryset=lambda: ChangePackage.objects.select_related("project__unit"),
        detail=lambda package: package.get_status_display().lower(),
    )
    notifications.register(
        Adoption,
        read_roles=roles.VIEWERS,
        queryset=lambda: Adoption.objects.select_related("unit"),
        detail=lambda adoption: adoption.get_status_display().lower(),
    )
