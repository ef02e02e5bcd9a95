"""Pages of claims (none yet)."""

urlpatterns: list = []
