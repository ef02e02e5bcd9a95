"""What the learning system tells the core and the shell about its records, called once from
`LearningConfig.ready()`. One function per part of the area."""


def register_all() -> None:
    for register in (_area, _feedback, _evidence, _networks, _bright_spots, _reflection):
        register()


def _area() -> None:
    from qms.learning.area import AREA
    from qms.web import areas

    areas.register(AREA)


def _feedback() -> None:
    pass


def _evidence() -> None:
    pass


def _networks() -> None:
    pass


def _bright_spots() -> None:
    pass


def _reflection() -> None:
    pass
