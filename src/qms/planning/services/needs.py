"""Quality planning's writes: needs."""

__all__: list[str] = []
