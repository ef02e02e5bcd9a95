"""Pages of reporting (none yet)."""

urlpatterns: list = []
