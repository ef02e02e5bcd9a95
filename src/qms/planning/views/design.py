"""Pages of quality planning: design. Thin: the record through `qms.people.access`, a form, a
service, a page."""

urlpatterns: list = []
