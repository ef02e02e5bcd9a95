"""The learning system's pages, one list per part of the area (views/<part>.py)."""

from qms.learning.views import (
    bright_spots,
    evidence,
    feedback,
    funnel,
    home,
    networks,
    reflection,
    similar,
)

app_name = "learning"

urlpatterns = [
    *home.urlpatterns,
    *feedback.urlpatterns,
    *evidence.urlpatterns,
    *networks.urlpatterns,
    *funnel.urlpatterns,
    *bright_spots.urlpatterns,
    *reflection.urlpatterns,
    *similar.urlpatterns,
]
