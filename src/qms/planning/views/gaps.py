"""Pages of quality planning: gaps. Thin: the record through `qms.people.access`, a form, a
service, a page."""

urlpatterns: list = []
