"""The demo's surveys (see qms.demo.culture): nothing yet."""

from __future__ import annotations

import datetime as dt


def build(*, today: dt.date | None = None) -> dict[str, int]:
    return {}
