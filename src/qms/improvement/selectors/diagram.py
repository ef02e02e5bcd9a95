"""Reads of quality improvement: diagram."""

__all__: list[str] = []
