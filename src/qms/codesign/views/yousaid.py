"""Pages of yousaid (none yet)."""

urlpatterns: list = []
