from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class QmsAdminSite(AdminSite):
    """The Django admin, open to system administrators only: no one else needs raw tables."""

    site_header = "QMS administration"
    site_title = "QMS administration"

    def has_permission(self, request):
        # Imported here: this module is loaded with the app registry, before models exist.
        from qms.people.permissions import is_system_administrator

        return is_system_administrator(request.user)


class QmsAdminConfig(AdminConfig):
    default_site = "qms.web.admin_site.QmsAdminSite"


class HistoryAdmin(SimpleHistoryAdmin):
    """Django admin with django-simple-history's history pages, to read. Reverting to an old
    version is refused (SIMPLE_HISTORY_REVERT_DISABLED only hides its button): it would
    write an old row back as a change nobody made through a form, so changes are made again
    through the change form, which goes through the services."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions are for reading; make changes on the change form.")
        return super().history_form_view(request, object_id, version_id, extra_context)
