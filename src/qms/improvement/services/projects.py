"""Writes of quality improvement: projects."""

__all__: list[str] = []
