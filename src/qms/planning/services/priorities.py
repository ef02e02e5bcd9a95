"""Quality planning's writes: priorities."""

__all__: list[str] = []
