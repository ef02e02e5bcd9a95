"""Fixtures of the vision and aims tests: an executive on the board, a cascade of aims
(board > division > ward) and a measure and project of the ward."""

import datetime as dt

import pytest
from helpers import make_measure, make_person

from qms.improvement import services as improvement_services
from qms.people.roles import Role
from qms.planning import services

DUE = dt.date(2027, 3, 31)
STATEMENT = "Reduce falls with harm by 30% by 31 March 2027"


@pytest.fixture
def executive(org):
    return make_person("executive", (Role.EXECUTIVE, org["board"]))


@pytest.fixture
def board_aim(org):
    return services.aim_create(
        by=None, unit=org["board"], statement=STATEMENT, target="30% fewer", due_on=DUE
    )


@pytest.fixture
def division_aim(org, board_aim):
    return services.aim_create(
        by=None,
        unit=org["division"],
        statement="Reduce falls with harm in acute care by 30% by 31 March 2027",
        target="30% fewer",
        due_on=DUE,
        parent=board_aim,
    )


@pytest.fixture
def ward_aim(org, lead, division_aim):
    return services.aim_create(
        by=lead,
        unit=org["ward"],
        statement="Halve falls on Ward 7 by 31 March 2027",
        target="Under 3 a month",
        due_on=DUE,
        parent=division_aim,
    )


@pytest.fixture
def ward_measure(org):
    return make_measure(org["ward"], "ward-falls", target=3.0)


@pytest.fixture
def ward_project(org, lead):
    return improvement_services.project_create(
        by=lead, unit=org["ward"], title="Fewer falls", problem="Falls rose.", aim=STATEMENT
    )
