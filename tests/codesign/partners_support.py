"""Shared records for the tests of partners and “you said, we did”: a project on the ward (the
piece of work partners are invited onto), an improvement coach of the ward (an organiser who
does not manage memberships), and a new partner invited by the lead."""

import datetime as dt

import pytest
from helpers import make_person

from qms.codesign.services import partners as services
from qms.improvement import services as improvement_services
from qms.people.roles import Role


def make_project(unit, *, title="Fewer falls on Ward 7"):
    return improvement_services.project_create(
        by=None,
        unit=unit,
        title=title,
        problem="Falls at night on the ward.",
        aim="Halve falls with harm by March 2027",
    )


@pytest.fixture
def project(org):
    return make_project(org["ward"])


@pytest.fixture
def coach(org):
    return make_person("coach", (Role.IMPROVEMENT_COACH, org["ward"]))


@pytest.fixture
def invited(lead, project):
    """Ann Fraser, invited by the ward's lead onto the falls project: a new account."""
    return services.partner_invite(
        by=lead, display_name="Ann Fraser", email="ann@example.net", record=project
    )


@pytest.fixture
def guest(invited):
    """Ann Fraser's account: a partner on the falls project only, with a password."""
    person = invited.profile.person
    person.set_password("a-long-partner-password-2026")
    person.save()
    return person


def contribute(by, work, partner, text="Ask families about night-time on admission.", **fields):
    """A partner's contribution to `work`, logged by `by` (confirmed when an organiser logs it)."""
    from qms.codesign.services import involvement as involvement_services

    return involvement_services.involvement_log(
        by=by, work=work, partner=partner, level=4, occurred_on=dt.date(2026, 11, 2),
        contribution=text, **fields,
    )  # fmt: skip
