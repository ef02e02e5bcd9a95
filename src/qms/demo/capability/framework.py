"""The demo's skills framework (see qms.demo.capability): the Riverside Health Board's, the
default one (`qms.capability.defaults`), given the way every organisation gets it."""

from __future__ import annotations

import datetime as dt

from qms.capability.models import Level, Skill
from qms.capability.services import framework as services
from qms.people.models import Unit

BOARD = "riverside"


def board() -> Unit:
    return Unit.objects.get(code=BOARD)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    organisation = board()
    services.framework_ensure(organisation)
    return {
        "skills": Skill.objects.filter(organisation=organisation).count(),
        "levels": Level.objects.filter(organisation=organisation).count(),
    }
