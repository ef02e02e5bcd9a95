"""Pages of concerns (none yet)."""

urlpatterns: list = []
