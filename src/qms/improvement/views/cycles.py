"""Pages of quality improvement: cycles."""

urlpatterns: list = []
