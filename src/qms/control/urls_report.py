"""Routes for the integrated quality report, huddle boards and exports."""

from django.urls import path

from qms.control import views_report

urlpatterns = [
    path("units/<int:unit_id>/report/", views_report.quality_report, name="quality-report"),
    path("units/<int:unit_id>/huddle/", views_report.huddle_board, name="huddle-board"),
]
