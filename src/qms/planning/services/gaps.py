"""Quality planning's writes: gaps."""

__all__: list[str] = []
