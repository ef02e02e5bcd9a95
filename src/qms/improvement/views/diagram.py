"""Pages of quality improvement: diagram."""

urlpatterns: list = []
