"""What quality improvement tells the core and the shell about its records, called once from
`ImprovementConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_projects, _diagram, _cycles, _methods, _spread):
        register()


def _projects() -> None:
    """The area in the shell; projects' discussions, inbox entries, escalation, issue source."""


def _diagram() -> None:
    """Driver nodes and prototypes."""


def _cycles() -> None:
    """PDSA cycles."""


def _methods() -> None:
    """A3, co-design stages and milestones."""


def _spread() -> None:
    """Change packages, adoptions and progress assessments."""
