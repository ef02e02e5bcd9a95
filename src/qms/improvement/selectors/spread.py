"""Reads of quality improvement: spread."""

__all__: list[str] = []
