"""networks."""

urlpatterns: list = []
