from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class QmsAdminSite(AdminSite):
    """The Django admin, open to system administrators only: no one else needs raw tables."""

    site_header = "QMS administration"
    site_title = "QMS administration"

    def has_permission(self, request):
        # Imported here: this module is loaded with the app registry, before models exist.
        from qms.people.access import is_system_administrator

        return is_system_administrator(request.user)


class QmsAdminConfig(AdminConfig):
    default_site = "qms.web.admin_site.QmsAdminSite"
