"""The demo board's co-design and co-production, one module per part, built in this order (later
parts may use earlier ones)."""

from __future__ import annotations

import datetime as dt

from qms.demo.codesign import claims, involvement, partners, yousaid

PARTS = (partners, involvement, yousaid, claims)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in PARTS:
        counts.update(part.build(today=today))
    return counts


def summary_line(counts: dict[str, int]) -> str:
    shown = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    return (
        f"Co-design and co-production: {shown}."
        if shown
        else "Co-design and co-production: nothing yet."
    )
