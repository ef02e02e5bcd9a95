"""Quality planning's reads: gaps."""

__all__: list[str] = []
