"""evidence."""

urlpatterns: list = []
