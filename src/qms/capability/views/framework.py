"""Pages of framework (none yet)."""

urlpatterns: list = []
