"""Pages of quality improvement: spread."""

urlpatterns: list = []
