"""Control records in the Django admin (system administrators only), with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qms.control.models import Measure, Standard


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ["title", "scope", "source", "unit"]
    list_filter = ["scope"]
    search_fields = ["title", "statement", "code"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "kind", "domain", "chart", "is_active"]
    list_filter = ["kind", "domain", "chart", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["unit"]
