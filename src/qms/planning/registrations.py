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
    """Vision and aims."""


def _needs() -> None:
    """Needs assessments, evidence, assets, group breakdowns."""


def _gaps() -> None:
    """Gaps against standards and targets."""


def _factors() -> None:
    """Contributory factors of issues."""


def _priorities() -> None:
    """Priorities, weights, decisions, method chooser."""


def _design() -> None:
    """Designs of new systems, models of care and processes."""


def _resources() -> None:
    """Capacity, over-commitment, responsibilities, balance."""


def _audits() -> None:
    """Clinical audits against standards."""
