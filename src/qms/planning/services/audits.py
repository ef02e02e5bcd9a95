"""Quality planning's writes: audits."""

__all__: list[str] = []
