"""Quality planning's reads: aims."""

__all__: list[str] = []
