"""What the learning system tells the core and the shell about its records, called once from
`LearningConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_area, _feedback, _evidence, _networks, _bright_spots, _reflection):
        register()


def _area() -> None:
    from qms.learning.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _feedback() -> None:
    """Feedback: how a comment's history reads (imported, or corrected with the sentiment and
    themes chosen, which its change reason holds)."""
    from qms.core import history
    from qms.learning.models import Feedback

    def summary(row, names) -> str:
        if row.history_change_reason:
            return row.history_change_reason
        return "Imported" if row.history_type == "+" else "Changed"

    history.register_summary(Feedback, summary)


def _evidence() -> None:
    """The records of other areas that cite evidence, each with its area's rules for who reads
    it and who changes it (who may cite evidence for it)."""
    from qms.improvement import selectors as improvement
    from qms.improvement import services as improvement_services
    from qms.learning.selectors import networks
    from qms.learning.selectors.evidence import CitableKind, register_citable
    from qms.planning import services as planning

    register_citable(
        CitableKind(
            model="improvement.drivernode",
            label="change idea",
            may_read=lambda user, node: improvement.project_readable(user, node.project),
            may_change=lambda user, node: improvement_services.may_change(user, node.project),
            related=("project__unit",),
            parent="project",
            accepts=lambda node: node.kind == "change_idea",
        )
    )
    register_citable(
        CitableKind(
            model="improvement.changepackage",
            label="change package",
            may_read=improvement.package_readable,
            may_change=improvement.package_changeable,
            related=("project__unit",),
            parent="project",
        )
    )
    register_citable(
        CitableKind(
            model="planning.priority",
            label="priority",
            may_change=planning.may_score,
            related=("unit",),
        )
    )
    register_citable(
        CitableKind(
            model="learning.network",
            label="learning network",
            may_read=networks.may_read,
            may_change=lambda user, network: (
                network.status == "active" and networks.standing(user, network).hosts
            ),
            related=("unit",),
        )
    )
    register_citable(
        CitableKind(
            model="planning.design",
            label="design",
            may_change=lambda user, design: planning.may_design(user, design.priority),
            related=("priority__unit",),
            parent="priority",
        )
    )


def _networks() -> None:
    """Learning networks: a network's discussion (everyone who reads it: staff of the host unit,
    people given a role on it, partners included, staff of its member teams), and its history
    with the teams joining and leaving, its events and the roles given on it."""
    from django.contrib.contenttypes.models import ContentType

    from qms.comments import registry as comments
    from qms.core import history
    from qms.learning import roles
    from qms.learning.models import Network, NetworkEvent, NetworkTeam
    from qms.learning.selectors.networks import may_read
    from qms.people.models import ObjectGrant
    from qms.people.roles import STAFF_ROLES

    comments.register(
        Network,
        read_roles=STAFF_ROLES,
        write_roles=STAFF_ROLES,
        moderator_roles=roles.NETWORK_HOSTS,
        granted_roles=roles.NETWORK_MEMBERS,
        also_writable_by=may_read,
    )
    history.register_related(
        Network, lambda network: NetworkTeam.history.filter(network_id=network.pk)
    )
    history.register_related(
        Network, lambda network: NetworkEvent.history.filter(network_id=network.pk)
    )
    history.register_related(
        Network,
        lambda network: ObjectGrant.history.filter(
            content_type=ContentType.objects.get_for_model(Network), object_id=network.pk
        ),
    )
    from qms.people.models import Unit

    history.register_summary(
        NetworkTeam,
        lambda row, names: (
            f"{names.of(Unit, row.unit_id)} "
            + ("joined" if row.history_type == "+" else "left" if row.history_type == "-" else "")
        ),
        names=("unit",),
    )
    history.register_summary(
        NetworkEvent,
        lambda row, names: f"Event “{row.title[:60]}” {history.ACTIONS[row.history_type]}",
    )


def _bright_spots() -> None:
    """Bright spots: their discussion (the unit's staff read and write), their inbox entries
    (candidates told to the quality leads of the unit and above)."""
    from qms.comments import registry as comments
    from qms.learning import roles
    from qms.learning.models import BrightSpot
    from qms.notifications import registry as notifications

    comments.register(BrightSpot, read_roles=roles.VIEWERS, write_roles=roles.VIEWERS)
    notifications.register(
        BrightSpot,
        read_roles=roles.VIEWERS,
        queryset=lambda: BrightSpot.objects.select_related("unit", "measure"),
        detail=lambda spot: spot.get_status_display().lower(),
    )


def _reflection() -> None:
    """Reflective practice: a learning review's discussion (its unit's staff; members of a
    network it is shared with read the review, not the discussion). Reflections register
    nothing on purpose: no discussion, no inbox, no admin, no history, so a private reflection
    has no second way out."""
    from qms.comments import registry as comments
    from qms.learning import roles
    from qms.learning.models import LearningReview

    comments.register(LearningReview, read_roles=roles.VIEWERS, write_roles=roles.REVIEWERS)
