"""Pages of quality planning: resources. Thin: the record through `qms.people.access`, a form, a
service, a page."""

urlpatterns: list = []
