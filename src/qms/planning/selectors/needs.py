"""Quality planning's reads: needs."""

__all__: list[str] = []
