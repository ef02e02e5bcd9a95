"""What this area tells the core and the shell about its records, called once from
`AppConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_area, _partners, _involvement, _yousaid, _claims):
        register()


def _area() -> None:
    from qms.codesign.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _partners() -> None:
    """Partners: nothing to register yet."""


def _involvement() -> None:
    """Involvement: nothing to register yet."""


def _yousaid() -> None:
    """Yousaid: nothing to register yet."""


def _claims() -> None:
    """Claims: nothing to register yet."""
