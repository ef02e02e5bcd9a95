"""Reads of quality improvement: methods."""

__all__ = ["methods_section"]


def methods_section(project, user) -> dict:
    """The context of the project page's methods section (improvement/_project_methods.html,
    given as `methods`), loaded in a fixed number of queries."""
    return {}
