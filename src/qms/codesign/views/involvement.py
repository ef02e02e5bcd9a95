"""Pages of involvement (none yet)."""

urlpatterns: list = []
