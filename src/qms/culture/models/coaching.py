"""Coaching: its records (none yet)."""

__all__: list[str] = []
