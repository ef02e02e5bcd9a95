"""Pages of partners (none yet)."""

urlpatterns: list = []
