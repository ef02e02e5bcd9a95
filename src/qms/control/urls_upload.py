"""Routes for data upload, the observations API and integration keys."""

from django.urls import path

from qms.control import api, views_upload

urlpatterns = [
    path("upload/", views_upload.upload, name="control-upload"),
    path("upload/save/", views_upload.upload_commit, name="control-upload-commit"),
    path(
        "upload/template.csv",
        views_upload.upload_template,
        {"kind": "csv"},
        name="control-upload-template-csv",
    ),
    path(
        "upload/template.xlsx",
        views_upload.upload_template,
        {"kind": "xlsx"},
        name="control-upload-template-xlsx",
    ),
    path(
        "units/<int:unit_id>/integrations/",
        views_upload.integrations,
        name="control-integrations",
    ),
    path(
        "units/<int:unit_id>/integrations/<int:token_id>/revoke/",
        views_upload.integration_revoke,
        name="control-integration-revoke",
    ),
    path("api/v1/observations", api.observations, name="control-api-observations"),
    path("api/v1/openapi.json", api.openapi, name="control-api-openapi"),
]
