"""Pages of gaps (none yet)."""

urlpatterns: list = []
