"""Quality planning's reads: design."""

__all__: list[str] = []
