"""Writes of quality improvement: projects, their team and their measures.

A project's team are the people given a role on it (`ObjectGrant`, through
`qms.people.services.grant_give`): its lead (team lead), its coach (improvement coach), team
members, analysts and patient or carer partners, none of whom needs a role in the project's
unit. The unit's own leads and coaches lead every project of the unit; its other staff see the
projects and work on those they are on the team of.

Who may: a unit's staff who do improvement work (`roles.STARTERS`) start projects there; its
leads and the project's own lead or coach (`roles.LEADS`, in the unit or granted on the project)
change the charter, the stage and the team; the team (`roles.TEAM`, or `roles.TEAM_GRANTED` on
the project) links measures. `by=None` is the system (the demo, commands) and is not checked.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qms.core.dates import out_of_reach
from qms.improvement import roles
from qms.improvement.models import (
    DriverNode,
    MeasureRole,
    Method,
    NodeKind,
    Project,
    ProjectMeasure,
    Stage,
)
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people import services as people_services
from qms.people.history import record_by
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import Role

__all__ = [
    "PROJECT_FIELDS",
    "TEAM_ROLES",
    "authorise_team",
    "may_change",
    "may_work_on",
    "project_create",
    "project_measure_link",
    "project_measure_unlink",
    "project_update",
    "team_member_add",
    "team_member_remove",
]

# The charter's fields that project_update changes.
PROJECT_FIELDS = frozenset(
    {
        "title",
        "problem",
        "aim",
        "method",
        "stage",
        "sponsor",
        "lead",
        "coach",
        "starts_on",
        "ends_on",
        "protected_hours",
        "budget",
    }
)
# The roles a person may be given on a project: its team, partners as equals.
TEAM_ROLES = roles.TEAM_GRANTED
# The aim node's text is the aim's, cut to what a node holds.
_NODE_TEXT_MAX = DriverNode._meta.get_field("text").max_length


def may_work_on(person: Person | None, project: Project) -> bool:
    """Whether `person` works on the project: a lead or coach of its unit, or anyone given a
    team role on the project itself (a unit's team member is not on every project of the
    unit). None, the system, may."""
    if person is None:
        return True
    if access.roles_in(person, project.unit) & roles.TEAM:
        return True
    return bool(access.granted_roles(person, project) & roles.TEAM_GRANTED)


def may_change(person: Person | None, project: Project) -> bool:
    """Whether `person` may change the project's work now: they work on it and it is not
    closed (a closed project's record stands as it was; its leads reopen it by its stage)."""
    return project.stage != Stage.CLOSED and may_work_on(person, project)


def authorise_team(by: Person | None, project: Project, action: str) -> None:
    """For the services of every part of the area: PermissionDenied naming the action unless
    `by` works on the project (`may_work_on`) and it is open."""
    if not may_work_on(by, project):
        raise PermissionDenied(f"Only the project's team may {action}.")
    if project.stage == Stage.CLOSED:
        raise PermissionDenied(f"The project is closed: reopen it (change its stage) to {action}.")


def _check_person(person: Person | None, field: str) -> None:
    if person is not None and not person.is_active:
        raise ValidationError({field: f"{person}'s account is closed."})


def _date_problems(project: Project) -> dict[str, list[str]]:
    """Dates within reach (qms.core.dates): 0001-01-01 or 9999-12-31 is a slip."""
    problems = {}
    for name, label in (("starts_on", "Starts on"), ("ends_on", "Ends on")):
        value = getattr(project, name)
        problem = out_of_reach(value, label) if isinstance(value, dt.date) else None
        if problem:
            problems[name] = [problem]
    return problems


def _full_clean(project: Project) -> None:
    """The model's checks (lengths, choices, dates in order, amounts not negative), with the
    message for the dates naming the end date, and dates within reach."""
    try:
        project.full_clean(exclude=["source_type", "source_id", "created_by"])
    except ValidationError as error:
        errors = {**error.message_dict, **_date_problems(project)}
        if "__all__" in errors:
            messages = errors.pop("__all__")
            dates = [m for m in messages if "project_ends_after_start" in m]
            if dates:
                errors.setdefault("ends_on", []).append("The end date is before the start date.")
            rest = [m for m in messages if m not in dates]
            if rest:
                errors["__all__"] = rest
        raise ValidationError(errors) from None
    problems = _date_problems(project)
    if problems:
        raise ValidationError(problems)


def _give_charter_roles(by: Person | None, project: Project, managers) -> list[ObjectGrant]:
    """The project's lead and coach hold their roles on it: given on the project to each who
    lacks that role in the project's unit (a lead from another ward, a visiting coach)."""
    given = []
    content_type = ContentType.objects.get_for_model(Project)
    for person, role in ((project.lead, Role.TEAM_LEAD), (project.coach, Role.IMPROVEMENT_COACH)):
        if person is None or role in access.roles_in(person, project.unit):
            continue
        held = ObjectGrant.objects.filter(
            person=person, content_type=content_type, object_id=project.pk, role=role
        )
        if held.exists():
            continue
        given.append(
            people_services.grant_give(
                by=by, record=project, person=person, role=role, managers=managers
            )
        )
    return given


def _aim_node_text(aim: str) -> str:
    aim = " ".join(aim.split())
    return aim if len(aim) <= _NODE_TEXT_MAX else aim[: _NODE_TEXT_MAX - 1] + "…"


@transaction.atomic
def project_create(
    *,
    by: Person | None,
    unit: Unit,
    title: str,
    problem: str,
    aim: str,
    method: str = Method.MODEL_FOR_IMPROVEMENT,
    stage: str = Stage.IDEA,
    sponsor: Person | None = None,
    lead: Person | None = None,
    coach: Person | None = None,
    starts_on=None,
    ends_on=None,
    protected_hours=None,
    budget=None,
    source=None,
    measures=(),
) -> Project:
    """Start an improvement project in a unit, with its charter. The person starting it leads
    it unless a lead is named; the lead and the coach are given their roles on the project when
    they lack them in the unit. The driver diagram starts with the aim as its root. `source` is
    the record it started from (a signal, an issue), which `by` must be able to see;
    `measures`, (measure, role) pairs linked as it starts (a signal's measure as its outcome),
    measures `by` must be able to see."""
    access.authorise(by, unit, roles.STARTERS, "start improvement projects")
    if source is not None and by is not None and not access.roles_on(by, source):
        raise PermissionDenied("You cannot see the record this project would start from.")
    lead = lead if lead is not None else by
    for person, field in ((sponsor, "sponsor"), (lead, "lead"), (coach, "coach")):
        _check_person(person, field)
    project = Project(
        unit=unit,
        title=(title or "").strip(),
        problem=(problem or "").strip(),
        aim=(aim or "").strip(),
        method=method,
        stage=stage,
        sponsor=sponsor,
        lead=lead,
        coach=coach,
        starts_on=starts_on,
        ends_on=ends_on,
        protected_hours=protected_hours,
        budget=budget,
        created_by=by,
    )
    if source is not None:
        project.source_record = source
    _full_clean(project)
    record_by(project, by, f"Started from {source}" if source is not None else "Started")
    project.save()
    node = DriverNode(project=project, kind=NodeKind.AIM, text=_aim_node_text(project.aim))
    record_by(node, by, "The project's aim")
    node.save()
    # Whoever may start a project in the unit sets up its lead and coach.
    _give_charter_roles(by, project, managers=roles.STARTERS)
    _method_structures(project, by)
    for measure, role in measures:
        _link(by, project, measure, role)
    return project


@transaction.atomic
def project_update(*, by: Person | None, project: Project, reason: str = "", **fields) -> Project:
    """Change a project's charter or stage (its leads: `roles.LEADS` in the unit or on the
    project). A new lead or coach is given their role on the project; a new aim renames the
    driver diagram's root."""
    access.authorise(by, project, roles.LEADS, "change this project")
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown project fields: {', '.join(sorted(unknown))}")
    for field in ("sponsor", "lead", "coach"):
        if field in fields:
            _check_person(fields[field], field)
    old_aim = project.aim
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    _full_clean(project)
    record_by(project, by, reason)
    project.save()
    if project.aim != old_aim:
        node = DriverNode.objects.filter(project=project, kind=NodeKind.AIM).first()
        if node is None:
            node = DriverNode(project=project, kind=NodeKind.AIM)
        node.text = _aim_node_text(project.aim)
        record_by(node, by, "The project's aim changed")
        node.save()
    if "lead" in fields or "coach" in fields:
        _give_charter_roles(by, project, managers=roles.LEADS)
    if "method" in fields:
        _method_structures(project, by)
    return project


def _method_structures(project: Project, by: Person | None) -> None:
    """A co-design project has its five stages from the start (methods' part)."""
    if project.method == Method.EBCD:
        from qms.improvement.services.methods import ebcd_stages_ensure

        ebcd_stages_ensure(project=project, by=by)


def _markers_sync(project: Project) -> None:
    """Put the project's cycles on the charts of its measures as they are now (cycles' part;
    imported here because cycles' services use this module's rules)."""
    from qms.improvement.services.cycles import project_markers_sync

    project_markers_sync(project=project)


@transaction.atomic
def project_measure_link(*, by: Person | None, project: Project, measure, role: str):
    """Link a quality control measure to the project as an outcome, process or balancing
    measure (the team; the measure must be one `by` can see)."""
    authorise_team(by, project, "link measures to it")
    link = _link(by, project, measure, role)
    _markers_sync(project)
    return link


def _link(by: Person | None, project: Project, measure, role: str) -> ProjectMeasure:
    if by is not None and not access.roles_on(by, measure) & roles.VIEWERS:
        raise PermissionDenied("You cannot see this measure.")
    if role not in MeasureRole.values:
        raise ValidationError({"role": "Choose outcome, process or balancing."})
    already = ValidationError({"measure": f"{measure} is already linked to this project."})
    if ProjectMeasure.objects.filter(project=project, measure=measure).exists():
        raise already
    link = ProjectMeasure(project=project, measure=measure, role=role)
    record_by(link, by, f"{measure} linked as {MeasureRole(role).label.lower()} measure")
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # linked by someone else since the check above
        raise already from None
    return link


@transaction.atomic
def project_measure_unlink(*, by: Person | None, project_measure: ProjectMeasure) -> None:
    """Take a measure off the project (the team); its data and chart stay in quality control."""
    project = project_measure.project
    authorise_team(by, project, "unlink its measures")
    # As for linking: only those who see the measure (staff; a patient partner does not).
    if by is not None and not access.roles_on(by, project_measure.measure) & roles.VIEWERS:
        raise PermissionDenied("You cannot see this measure.")
    record_by(project_measure, by, f"{project_measure.measure} unlinked")
    project_measure.delete()
    _markers_sync(project)


@transaction.atomic
def team_member_add(*, by: Person | None, project: Project, person: Person, role: str):
    """Give `person` a role on the project's team (its leads): a team member, team lead,
    improvement coach, analyst or patient or carer partner. They see the project and work on
    it, without a role in its unit."""
    access.authorise(by, project, roles.LEADS, "change this project's team")
    if role not in TEAM_ROLES:
        raise ValidationError({"role": "Choose a role on the team."})
    grant = people_services.grant_give(
        by=by, record=project, person=person, role=role, managers=roles.LEADS
    )
    if by is None or by.pk != person.pk:
        who = f"{by} added you" if by is not None else "You were added"
        notify(
            [person],
            kind=NotificationKind.IMPROVEMENT,
            text=f"{who} to the team of “{project}” as {grant.get_role_display()}."[:300],
            subject=project,
        )
    return grant


@transaction.atomic
def team_member_remove(*, by: Person | None, grant: ObjectGrant, reason: str = "") -> None:
    """Take a person's role on the project's team away (its leads). The lead and the coach
    named in the charter keep theirs until the charter names someone else."""
    project = grant.subject
    if not isinstance(project, Project):
        raise ValidationError("This role is not on a project's team.")
    access.authorise(by, project, roles.LEADS, "change this project's team")
    for person_id, role, what in (
        (project.lead_id, Role.TEAM_LEAD, "leads"),
        (project.coach_id, Role.IMPROVEMENT_COACH, "coaches"),
    ):
        if grant.person_id == person_id and grant.role == role:
            raise ValidationError(
                f"{grant.person} {what} this project: name someone else in the charter first."
            )
    people_services.grant_remove(by=by, grant=grant, reason=reason, managers=roles.LEADS)
