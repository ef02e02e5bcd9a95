"""What this area tells the core and the shell about its records, called once from
`AppConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (
        _area,
        _recognition,
        _concerns,
        _reporting,
        _walkrounds,
        _coaching,
        _leadership,
        _surveys,
    ):
        register()


def _area() -> None:
    from qms.culture.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _recognition() -> None:
    """Recognition: the inbox links a recognition for those with a role in its unit (its page
    decides the rest: a private one is read by the recipient, the reporter and the leads), and
    its history reads in words."""
    from qms.culture.models import Recognition
    from qms.notifications import registry as notifications

    notifications.register(
        Recognition,
        queryset=lambda: Recognition.objects.select_related("unit", "recipient"),
        detail=lambda recognition: recognition.recipient_name,
    )


def _concerns() -> None:
    """Concerns: nothing to register. A concern is an issue, whose registrations (comments,
    notifications, escalation, history) it shares; its own records are kept out of the admin
    and of the notifications registry on purpose, so no list of them exists outside the pages
    that keep anonymity."""


def _reporting() -> None:
    """Reporting: nothing to register. Its measures are control measures, registered there."""


def _walkrounds() -> None:
    """Walkrounds: an item staff raised is the source record of the issue raised for it (a staff
    concern), so the issue links back to the walkround."""
    from qms.culture.models import WalkroundItem
    from qms.issues.models import IssueSource
    from qms.issues.registry import register_source

    register_source(WalkroundItem, IssueSource.STAFF_CONCERN)


def _coaching() -> None:
    """Coaching: nothing to register yet."""


def _leadership() -> None:
    """Leadership: nothing to register yet."""


def _surveys() -> None:
    """Surveys: nothing to register. Runs are not discussable, notified or an issue's source
    (a discussion beside anonymous results would invite guessing who said what); people from
    elsewhere are invited by a grant on the run (`SurveyRun.accepts_grants`)."""
