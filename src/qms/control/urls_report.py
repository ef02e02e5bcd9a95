"""Routes for the integrated quality report, huddle boards and exports."""

urlpatterns: list = []
