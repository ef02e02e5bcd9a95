"""The demo's reflection (see qms.demo.learning)."""

from __future__ import annotations

import datetime as dt


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    return {}
