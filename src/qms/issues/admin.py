"""Issues and actions in the Django admin, to read with their history: they are raised and
handled on their own pages, whose services check who may and tell the people concerned."""

from django.contrib import admin

from qms.issues.models import Action, Issue
from qms.people.admin import HistoryAdmin


class _ReadOnly(HistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(_ReadOnly):
    list_display = ["title", "unit", "source", "status", "owner", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["unit", "owner"]
    search_fields = ["title", "description"]


@admin.register(Action)
class ActionAdmin(_ReadOnly):
    list_display = ["what", "issue", "owner", "due_on", "done_at"]
    list_select_related = ["issue", "owner"]
    search_fields = ["what", "issue__title"]
