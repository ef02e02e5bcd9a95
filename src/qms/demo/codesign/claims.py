"""The demo's claims (see qms.demo.codesign): nothing yet."""

from __future__ import annotations

import datetime as dt


def build(*, today: dt.date | None = None) -> dict[str, int]:
    return {}
