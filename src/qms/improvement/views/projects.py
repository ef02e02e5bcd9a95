"""Pages of quality improvement: projects."""

urlpatterns: list = []
