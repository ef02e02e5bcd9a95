"""Pages of staff capability and time, one list per part of the area (views/<part>.py)."""

from qms.capability.views import (
    framework,
    gaps,
    home,
    records,
    time,
)

app_name = "capability"

urlpatterns = [
    *home.urlpatterns,
    *framework.urlpatterns,
    *records.urlpatterns,
    *time.urlpatterns,
    *gaps.urlpatterns,
]
