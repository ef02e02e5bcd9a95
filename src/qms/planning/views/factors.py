"""Pages of quality planning: factors. Thin: the record through `qms.people.access`, a form, a
service, a page."""

urlpatterns: list = []
