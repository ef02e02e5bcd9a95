"""Pages of surveys (none yet)."""

urlpatterns: list = []
