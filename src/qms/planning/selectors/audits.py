"""Quality planning's reads: audits."""

__all__: list[str] = []
