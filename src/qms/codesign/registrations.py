"""What this area tells the core and the shell about its records, called once from
`AppConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_area, _partners, _involvement, _yousaid, _claims):
        register()


def _area() -> None:
    from qms.codesign.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _partners() -> None:
    """Partners: nothing to register yet."""


def _involvement() -> None:
    """Involvement: the kinds of work partners' involvement is logged against, each with its
    area's rules for who reads it and who changes it (and so logs involvement in it); how an
    entry's history reads."""
    from qms.codesign import roles
    from qms.codesign.models import Involvement
    from qms.codesign.selectors.involvement import WorkKind, register_work
    from qms.improvement import selectors as improvement
    from qms.improvement import services as improvement_services
    from qms.learning import selectors as learning
    from qms.notifications import registry as notifications
    from qms.planning import services as planning

    # A partner's own entry is announced to its organisers, who open it to confirm.
    notifications.register(Involvement, read_roles=roles.ORGANISERS)
    register_work(
        WorkKind(
            model="improvement.project",
            label="Improvement project",
            area="improvement",
            may_read=improvement.project_readable,
            may_change=improvement_services.may_change,
        )
    )
    register_work(
        WorkKind(
            model="planning.priority",
            label="Priority",
            area="planning",
            may_change=planning.may_score,
        )
    )
    # A measure's review: the people who define and review the measure.
    register_work(WorkKind(model="control.measure", label="Measure review", area="control"))
    # An issue comes out of quality control (a signal, an incident, a complaint).
    register_work(WorkKind(model="issues.issue", label="Issue", area="control"))
    register_work(
        WorkKind(
            model="learning.network",
            label="Learning network",
            area="learning",
            may_read=learning.network_readable,
            may_change=lambda user, network: learning.network_standing(user, network).hosts,
        )
    )


def _yousaid() -> None:
    """Yousaid: nothing to register yet."""


def _claims() -> None:
    """Claims: a discussion on each claim, where a receipt is attached (the partner, the unit's
    organisers and claim approvers; a partner reads only their own claims, so the roles asked
    are those of the unit's managers and the partner is let in as the claim's own)."""
    from qms.codesign import roles
    from qms.codesign.models import Claim
    from qms.codesign.selectors import claims
    from qms.comments import registry as comments
    from qms.notifications import registry as notifications

    notifications.register(Claim, read_roles=roles.PARTNERS | claims.CLAIM_MANAGERS)
    comments.register(
        Claim,
        read_roles=claims.CLAIM_MANAGERS,
        write_roles=claims.CLAIM_MANAGERS,
        also_writable_by=claims.claim_readable,
    )
