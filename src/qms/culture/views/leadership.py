"""Pages of leadership (none yet)."""

urlpatterns: list = []
