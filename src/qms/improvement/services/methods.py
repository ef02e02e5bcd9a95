"""Writes of quality improvement: methods."""

__all__: list[str] = []
