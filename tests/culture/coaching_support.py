"""People and coaching logs shared by the coaching tests."""

import datetime as dt

from helpers import make_person

from qms.culture.services import coaching as services
from qms.people.roles import Role

TODAY = dt.date.today()


def make_coach(org, username="coach"):
    return make_person(username, (Role.IMPROVEMENT_COACH, org["service"]))


def open_coaching(coach, unit, coachees, *, kind="person", **fields):
    values = {
        "title": "Leading the safety huddle",
        "goals": "Run the huddle in ten minutes and hear from everyone.",
        "started_on": TODAY - dt.timedelta(days=60),
        **fields,
    }
    return services.coaching_open(by=coach, unit=unit, kind=kind, coachees=coachees, **values)


def record_session(coach, relationship, *, actions=(), **fields):
    values = {
        "held_on": TODAY - dt.timedelta(days=7),
        "minutes": 45,
        "focus": "Listening at the huddle",
        "notes": "PRIVATE-NOTE: felt unheard by the consultants",
        "progress": "Huddle now twelve minutes.",
        **fields,
    }
    return services.coaching_session_record(
        by=coach, relationship=relationship, actions=actions, **values
    )
