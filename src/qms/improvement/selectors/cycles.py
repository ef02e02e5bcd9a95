"""Reads of quality improvement: cycles."""

__all__ = ["cycles_section"]


def cycles_section(project, user) -> dict:
    """The context of the project page's cycles section (improvement/_project_cycles.html,
    given as `cycles`), loaded in a fixed number of queries."""
    return {}
