"""Routes for data upload, the observations API and integration keys."""

urlpatterns: list = []
