"""Routes for the integrated quality report, huddle boards and exports."""

from django.urls import path

from qms.control import views_report

urlpatterns = [
    path("units/<int:unit_id>/report/", views_report.quality_report, name="quality-report"),
    path("units/<int:unit_id>/huddle/", views_report.huddle_board, name="huddle-board"),
    path("exports/<int:export_id>/", views_report.report_export, name="report-export"),
    path(
        "exports/<int:export_id>/status/",
        views_report.report_export_status,
        name="report-export-status",
    ),
    path(
        "exports/<int:export_id>/download/",
        views_report.report_export_download,
        name="report-export-download",
    ),
]
