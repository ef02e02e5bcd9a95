"""Pages of time (none yet)."""

urlpatterns: list = []
