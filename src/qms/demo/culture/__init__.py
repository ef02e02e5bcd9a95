"""The demo board's leadership, culture and relationships, one module per part, built in
this order (later parts may use earlier ones)."""

from __future__ import annotations

import datetime as dt

from qms.demo.culture import (
    coaching,
    concerns,
    leadership,
    recognition,
    reporting,
    surveys,
    walkrounds,
)

PARTS = (recognition, concerns, reporting, walkrounds, coaching, leadership, surveys)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in PARTS:
        counts.update(part.build(today=today))
    return counts


def summary_line(counts: dict[str, int]) -> str:
    shown = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    return (
        f"Leadership, culture and relationships: {shown}."
        if shown
        else "Leadership, culture and relationships: nothing yet."
    )
