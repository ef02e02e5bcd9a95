"""Quality planning's reads: resources."""

__all__: list[str] = []
