"""Quality planning's writes: resources."""

__all__: list[str] = []
