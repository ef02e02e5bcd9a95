"""Pages of quality improvement: methods."""

urlpatterns: list = []
