"""The demo's gaps (see qms.demo.capability): nothing to build: the gaps are read from the
assessments and protected time the other parts made."""

from __future__ import annotations

import datetime as dt


def build(*, today: dt.date | None = None) -> dict[str, int]:
    return {}
