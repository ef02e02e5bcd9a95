"""The Django admin, for system administrators only (see qms.web.admin_site)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from qms.people import services
from qms.people.models import Membership, Person, Unit


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ["username", "display_name", "job_title", "professional_group", "is_active"]
    search_fields = ["username", "display_name", "email", "job_title"]
    fieldsets = UserAdmin.fieldsets + (
        (
            "Role in the organisation",
            {"fields": ["display_name", "job_title", "professional_group"]},
        ),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (None, {"fields": ["display_name", "email", "job_title", "professional_group"]}),
    )


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "parent"]
    search_fields = ["name", "code"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit re-homes its whole subtree; that is not a casual edit.
        return ["parent"] if obj else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "code", "kind", "description")}
        if change:
            services.unit_update(by=request.user, unit=obj, **fields)
        else:
            created = services.unit_create(
                by=request.user, parent=form.cleaned_data["parent"], **fields
            )
            obj.pk, obj.path = created.pk, created.path


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["person__display_name", "unit__name"]
    autocomplete_fields = ["person", "unit"]

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save()
        else:
            created = services.membership_add(
                by=request.user, person=obj.person, unit=obj.unit, role=obj.role
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.membership_remove(by=request.user, membership=obj, reason="Removed in admin")
