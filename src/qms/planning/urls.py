"""Quality planning's pages, one list per part of the area (views/<part>.py)."""

from qms.planning.views import (
    aims,
    audits,
    design,
    factors,
    gaps,
    home,
    needs,
    priorities,
    resources,
)

app_name = "planning"

urlpatterns = [
    *home.urlpatterns,
    *aims.urlpatterns,
    *needs.urlpatterns,
    *gaps.urlpatterns,
    *factors.urlpatterns,
    *priorities.urlpatterns,
    *design.urlpatterns,
    *resources.urlpatterns,
    *audits.urlpatterns,
]
