"""Pages of recognition (none yet)."""

urlpatterns: list = []
