"""Quality planning's writes: aims."""

__all__: list[str] = []
