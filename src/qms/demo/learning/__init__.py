"""The demo board's learning system, one module per part, built in this order (later parts
use earlier ones: networks cite evidence, bright spots may become networks)."""

from __future__ import annotations

import datetime as dt

from qms.demo.learning import bright_spots, evidence, feedback, networks, reflection

PARTS = (feedback, evidence, networks, bright_spots, reflection)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in PARTS:
        counts.update(part.build(today=today))
    return counts


def summary_line(counts: dict[str, int]) -> str:
    shown = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    return f"Learning system: {shown}." if shown else "Learning system: nothing yet."
