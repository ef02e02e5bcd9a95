"""Reads of quality improvement: spread."""

__all__ = ["progress_section", "packages_section"]


def progress_section(project, user) -> dict:
    """The context of the project page's progress section (improvement/_project_progress.html,
    given as `progress`), loaded in a fixed number of queries."""
    return {}


def packages_section(project, user) -> dict:
    """The context of the project page's packages section (improvement/_project_packages.html,
    given as `packages`), loaded in a fixed number of queries."""
    return {}
