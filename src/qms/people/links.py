"""Links to the organisation's pages about any record, for areas to put on their own pages."""

from django.urls import reverse


def record_type(record) -> str:
    """The record's type as the URLs name it: "app_label.model" (e.g. "control.measure")."""
    meta = record._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def record_people_url(record) -> str:
    """The page of the people given a role on this record (`people:record-people`)."""
    return reverse(
        "people:record-people",
        kwargs={"record_type": record_type(record), "object_id": record.pk},
    )
