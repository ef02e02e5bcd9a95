"""Reads of quality improvement: cycles."""

__all__: list[str] = []
