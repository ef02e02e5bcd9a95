"""Reads of quality improvement: diagram."""

__all__ = ["diagram_section", "prototypes_section"]


def diagram_section(project, user) -> dict:
    """The context of the project page's diagram section (improvement/_project_diagram.html,
    given as `diagram`), loaded in a fixed number of queries."""
    return {}


def prototypes_section(project, user) -> dict:
    """The context of the project page's prototypes section (improvement/_project_prototypes.html,
    given as `prototypes`), loaded in a fixed number of queries."""
    return {}
