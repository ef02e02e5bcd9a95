"""Quality planning's writes: factors."""

__all__: list[str] = []
