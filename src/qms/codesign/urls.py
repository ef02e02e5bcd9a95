"""Pages of co-design and co-production, one list per part of the area (views/<part>.py)."""

from qms.codesign.views import (
    claims,
    home,
    involvement,
    partners,
    yousaid,
)

app_name = "codesign"

urlpatterns = [
    *home.urlpatterns,
    *partners.urlpatterns,
    *involvement.urlpatterns,
    *yousaid.urlpatterns,
    *claims.urlpatterns,
]
