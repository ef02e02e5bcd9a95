"""Pages of coaching (none yet)."""

urlpatterns: list = []
