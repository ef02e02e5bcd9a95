"""Routes for data upload, the observations API and integration keys."""

from django.urls import path

from qms.control import api, views_upload

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
    path(
        "units/<int:unit_id>/integrations/",
        views_upload.integrations,
        name="integrations",
    ),
    path(
        "units/<int:unit_id>/integrations/<int:token_id>/revoke/",
        views_upload.integration_revoke,
        name="integration-revoke",
    ),
    path("api/v1/observations", api.observations, name="api-observations"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
]
