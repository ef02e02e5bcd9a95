"""What quality planning tells the core and the shell about its records, called once from
`PlanningConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (
        _area,
        _aims,
        _needs,
        _gaps,
        _factors,
        _priorities,
        _design,
        _resources,
        _audits,
    ):
        register()


def _area() -> None:
    from qms.planning.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _aims() -> None:
    """Vision and aims: an aim's discussion (its unit's staff), aims in the inbox (the setters
    of the aims serving one hear when it changes or retires)."""
    from qms.comments import registry as comments
    from qms.notifications import registry as notifications
    from qms.planning import roles
    from qms.planning.models import Aim
    from qms.planning.services.aims import may_read_aim

    # Staff of the units below read an aim too (the cascade their aims serve), and its
    # discussion with it; its own unit's staff write.
    comments.register(
        Aim,
        read_roles=roles.VIEWERS,
        write_roles=roles.VIEWERS,
        also_readable_by=lambda user, aim: may_read_aim(user, aim),
    )
    notifications.register(
        Aim,
        read_roles=roles.VIEWERS,
        queryset=lambda: Aim.objects.select_related("unit"),
        detail=lambda aim: f"due {aim.due_on:%d %b %Y}" if aim.is_active else "retired",
    )


def _needs() -> None:
    """Needs assessments, evidence, assets, group breakdowns: an assessment's discussion (its
    writers, partners given a role on it as equals) and its history with its needs, evidence,
    assets and the roles given on it."""
    from django.contrib.contenttypes.models import ContentType

    from qms.comments import registry as comments
    from qms.core import history
    from qms.people.models import ObjectGrant
    from qms.planning import roles
    from qms.planning.models import Asset, Need, NeedEvidence, NeedsAssessment

    comments.register(
        NeedsAssessment,
        read_roles=roles.VIEWERS,
        write_roles=roles.NEEDS_EDITORS,
        granted_roles=roles.NEEDS_GRANTED,
    )

    def parts(model, deferred=()):
        return lambda assessment: model.history.filter(assessment_id=assessment.pk).defer(*deferred)

    history.register_related(NeedsAssessment, parts(Need))
    # An evidence table's rows are not read for its line in the history.
    history.register_related(NeedsAssessment, parts(NeedEvidence, ("rows", "columns")))
    history.register_related(NeedsAssessment, parts(Asset))
    history.register_related(
        NeedsAssessment,
        lambda assessment: ObjectGrant.history.filter(
            content_type=ContentType.objects.get_for_model(NeedsAssessment),
            object_id=assessment.pk,
        ),
    )
    history.register_summary(
        Need,
        lambda row, names: (
            f"Need {row.position} “{row.statement[:60]}” {history.ACTIONS[row.history_type]}"
        ),
    )
    history.register_summary(
        NeedEvidence,
        lambda row, names: (
            f"{row.get_kind_display()} “{row.title[:60]}” {history.ACTIONS[row.history_type]}"
        ),
    )
    history.register_summary(
        Asset,
        lambda row, names: (
            f"{row.get_kind_display()} “{row.name[:60]}” {history.ACTIONS[row.history_type]}"
        ),
    )


def _gaps() -> None:
    """Gaps against standards and targets."""


def _factors() -> None:
    """Contributory factors of issues: an analysis's history shows its factors' codings, and
    the issue's history shows both."""
    from qms.core import history
    from qms.issues.models import Issue
    from qms.planning.models import FactorDomain, IssueAnalysis, IssueFactor

    def coding(row, names) -> str:
        verb = {"+": "coded", "~": "note changed", "-": "removed"}[row.history_type]
        return f"Factor “{names.of(FactorDomain, row.domain_id)}” {verb}"

    history.register_summary(IssueFactor, coding, names=("domain",))
    history.register_summary(
        IssueAnalysis,
        lambda row, names: (
            "Contributory factors "
            + ("analysed" if row.history_type == "+" else "analysis changed")
        ),
    )
    history.register_related(
        IssueAnalysis, lambda analysis: IssueFactor.history.filter(analysis_id=analysis.pk)
    )
    history.register_related(Issue, lambda issue: IssueAnalysis.history.filter(issue_id=issue.pk))
    history.register_related(
        Issue, lambda issue: IssueFactor.history.filter(analysis__issue_id=issue.pk)
    )


def _priorities() -> None:
    """Priorities, weights, decisions, method chooser: a priority's discussion (its working
    group, partners as equals), its inbox entries, and its history with its working group's
    roles."""
    from django.contrib.contenttypes.models import ContentType

    from qms.comments import registry as comments
    from qms.core import history
    from qms.notifications import registry as notifications
    from qms.people.models import ObjectGrant
    from qms.people.roles import ALL_ROLES
    from qms.planning import roles
    from qms.planning.models import Priority

    # The unit's staff read a priority's discussion and its scorers write in it; those given a
    # working-group role on the priority (a patient partner) read and write as equals.
    comments.register(
        Priority,
        read_roles=roles.VIEWERS,
        write_roles=roles.SCORERS | roles.PROPOSERS,
        granted_roles=roles.SCORERS_GRANTED,
    )
    notifications.register(
        Priority,
        read_roles=ALL_ROLES,
        queryset=lambda: Priority.objects.select_related("unit"),
        detail=lambda priority: priority.get_status_display().lower(),
    )
    history.register_related(
        Priority,
        lambda priority: ObjectGrant.history.filter(
            content_type=ContentType.objects.get_for_model(Priority), object_id=priority.pk
        ),
    )


def _design() -> None:
    """Designs of new systems, models of care and processes: a design's history shows its
    steps' changes too."""
    from qms.core import history
    from qms.planning.models import Design, DesignStep

    history.register_related(Design, lambda design: DesignStep.history.filter(design_id=design.pk))
    history.register_summary(
        DesignStep,
        lambda row, names: (
            f"{row.get_state_display()}: step “{row.name[:60]}” {history.ACTIONS[row.history_type]}"
        ),
    )


def _resources() -> None:
    """Capacity, over-commitment, responsibilities, balance: a priority's history shows who
    was given and who lost a responsibility for it."""
    from qms.core import history
    from qms.people.models import Person
    from qms.planning.models import Priority, Responsibility

    history.register_related(
        Priority, lambda priority: Responsibility.history.filter(priority_id=priority.pk)
    )
    given = {"+": "{} made {}", "~": "{} is {}", "-": "{} is no longer {}"}

    def summary(row, names) -> str:
        person = names.of(Person, row.person_id, gone="a person")
        return given[row.history_type].format(person, row.get_raci_display().lower())

    history.register_summary(Responsibility, summary, names=["person"])


def _audits() -> None:
    """Clinical audits against standards: an audit is the source of its findings (issues)."""
    from qms.issues.models import IssueSource
    from qms.issues.registry import register_source
    from qms.planning.models import Audit

    register_source(Audit, IssueSource.AUDIT_FINDING)
