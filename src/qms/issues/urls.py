from django.urls import path

from qms.issues import views

app_name = "issues"

urlpatterns = [
    path("", views.issues_home, name="home"),
    path("units/<int:unit_id>/", views.unit_issues, name="unit-issues"),
    path("units/<int:unit_id>/raise/", views.issue_raise, name="issue-raise"),
    path("<int:issue_id>/", views.issue_detail, name="issue-detail"),
    path("<int:issue_id>/edit/", views.issue_edit, name="issue-edit"),
    path("<int:issue_id>/close/", views.issue_close, name="issue-close"),
    path("<int:issue_id>/reopen/", views.issue_reopen, name="issue-reopen"),
    path("<int:issue_id>/actions/", views.action_add, name="action-add"),
    path("actions/<int:action_id>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:action_id>/done/", views.action_complete, name="action-complete"),
    path("actions/<int:action_id>/reopen/", views.action_reopen, name="action-reopen"),
]
