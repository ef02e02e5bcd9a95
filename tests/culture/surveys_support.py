"""Shared by the survey tests: runs of each kind on the ward, and respondents to answer them."""

import datetime as dt

from helpers import make_person

from qms.culture.models import SurveyKind
from qms.culture.services import surveys as services
from qms.people.roles import Role

OPENS = dt.date(2026, 3, 2)
CLOSES = dt.date(2026, 3, 20)
DURING = dt.date(2026, 3, 10)
AFTER = dt.date(2026, 3, 21)
WORKGROUPS = ["Nurses", "Doctors", "Pharmacists"]


def rc_run(unit, *, by=None, minimum=5, opens=OPENS, closes=CLOSES, workgroups=WORKGROUPS):
    return services.survey_create(
        by=by,
        unit=unit,
        kind=SurveyKind.RELATIONAL_COORDINATION,
        title="Discharge teamwork",
        focal_process="discharging patients",
        workgroups=workgroups,
        opens_on=opens,
        closes_on=closes,
        minimum_group_size=minimum,
        today=opens,
    )


def pulse_run(unit, *, by=None, minimum=5, opens=OPENS, closes=CLOSES):
    return services.survey_create(
        by=by,
        unit=unit,
        kind=SurveyKind.PULSE,
        title="Team pulse",
        opens_on=opens,
        closes_on=closes,
        minimum_group_size=minimum,
        today=opens,
    )


def respondents(unit, count, prefix="staff"):
    return [make_person(f"{prefix}{i}", (Role.TEAM_MEMBER, unit)) for i in range(count)]


def group(run, name):
    return run.workgroups.get(name=name)


def answer_rc(run, person, own, ratings, *, today=DURING):
    """`ratings`: {workgroup name: seven scores}."""
    services.survey_answer(
        by=person,
        run=run,
        workgroup=group(run, own),
        scores={str(group(run, name).pk): list(s) for name, s in ratings.items()},
        today=today,
    )


def answer_pulse(run, person, answers, *, today=DURING):
    services.survey_answer(by=person, run=run, scores={"pulse": list(answers)}, today=today)
