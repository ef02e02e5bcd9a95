"""Routes for data upload and the observations API (the keys are made on a unit's API keys
page, qms.people; the integrations page that made them before leads there)."""

from django.shortcuts import redirect
from django.urls import path
from django.views.generic import RedirectView

from qms.control import api, views_upload


def _to_api_keys(request, unit_id, **kwargs):
    return redirect("people:api-keys", unit_id=unit_id, permanent=True)


urlpatterns = [
    path("upload/", views_upload.upload, name="upload"),
    path("upload/save/", views_upload.upload_commit, name="upload-commit"),
    path(
        "upload/template.csv",
        views_upload.upload_template,
        {"kind": "csv"},
        name="upload-template-csv",
    ),
    path(
        "upload/template.xlsx",
        views_upload.upload_template,
        {"kind": "xlsx"},
        name="upload-template-xlsx",
    ),
    path("units/<int:unit_id>/integrations/", _to_api_keys, name="integrations"),
    path("units/<int:unit_id>/integrations/<int:token_id>/revoke/", _to_api_keys),
    path("api/v1/observations", api.observations, name="api-observations"),
    # The observations API is described with the rest of the API, generated from its schemas.
    path(
        "api/v1/openapi.json",
        RedirectView.as_view(pattern_name="api:openapi-json", permanent=True),
        name="api-openapi",
    ),
]
