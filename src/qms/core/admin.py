"""The periodic jobs' last runs in the Django admin, to read: when each daily job and the
stale-result check last started and finished, and the error of one that failed."""

from django.contrib import admin

from qms.core.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    list_display = ["job", "started_at", "finished_at", "succeeded", "error"]
    list_filter = ["succeeded"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
