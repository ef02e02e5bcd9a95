"""What this area tells the core and the shell about its records, called once from
`AppConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_area, _framework, _records, _time, _gaps):
        register()


def _area() -> None:
    from qms.capability.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _framework() -> None:
    """Framework: nothing to register yet."""


def _records() -> None:
    """Records: nothing to register yet."""


def _time() -> None:
    """Time: nothing to register yet."""


def _gaps() -> None:
    """Gaps: nothing to register yet."""
