"""Quality planning's reads: priorities."""

__all__: list[str] = []
