"""reflection."""

urlpatterns: list = []
