"""Pages of quality planning: audits. Thin: the record through `qms.people.access`, a form, a
service, a page."""

urlpatterns: list = []
