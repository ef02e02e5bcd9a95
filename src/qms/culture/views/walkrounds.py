"""Pages of walkrounds (none yet)."""

urlpatterns: list = []
