"""Quality planning's writes: design."""

__all__: list[str] = []
