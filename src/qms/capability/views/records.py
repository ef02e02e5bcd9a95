"""Pages of records (none yet)."""

urlpatterns: list = []
