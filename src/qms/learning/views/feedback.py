"""feedback."""

urlpatterns: list = []
