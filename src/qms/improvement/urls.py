"""Quality improvement's pages, one list per part of the area (views/<part>.py)."""

from qms.improvement.views import cycles, diagram, methods, projects, spread

app_name = "improvement"

urlpatterns = [
    *projects.urlpatterns,
    *diagram.urlpatterns,
    *cycles.urlpatterns,
    *methods.urlpatterns,
    *spread.urlpatterns,
]
