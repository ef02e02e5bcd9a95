"""bright_spots."""

urlpatterns: list = []
