"""How the history of units and memberships reads on a unit's page. Here, not in qms.people,
because the people app sits below the core and imports none of it."""

from qms.core import history
from qms.people.models import Membership, ObjectGrant, Person, Unit

_UNIT = {"+": "Unit “{}” created", "~": "Unit changed", "-": "Unit “{}” deleted"}
_MEMBERSHIP = {"+": "Added {} as {}", "~": "Changed {} as {}", "-": "Removed {} as {}"}


def _unit_summary(version, names: history.Names) -> str:
    return _UNIT[version.history_type].format(version.name)


def _membership_summary(version, names: history.Names) -> str:
    person = names.of(Person, version.person_id, gone="a deleted account")
    return _MEMBERSHIP[version.history_type].format(person, version.get_role_display())


def register() -> None:
    history.register_summary(Unit, _unit_summary)
    history.register_summary(Membership, _membership_summary, names=["person"])
    # A role given on one record reads the same way on that record's page (a project's team).
    history.register_summary(ObjectGrant, _membership_summary, names=["person"])
    # A unit's page shows who joined and left it with the changes to the unit itself.
    history.register_related(Unit, lambda unit: Membership.history.filter(unit_id=unit.pk))
