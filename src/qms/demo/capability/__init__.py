"""The demo board's staff capability, one module per part, built in this order (later
parts may use earlier ones)."""

from __future__ import annotations

import datetime as dt

from qms.demo.capability import framework, gaps, records, time

PARTS = (framework, records, time, gaps)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in PARTS:
        counts.update(part.build(today=today))
    return counts


def summary_line(counts: dict[str, int]) -> str:
    shown = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    return f"Staff capability: {shown}." if shown else "Staff capability: nothing yet."
