"""Quality planning's reads: factors."""

__all__: list[str] = []
