"""Pages of leadership, culture and relationships, one list per part (views/<part>.py)."""

from qms.culture.views import (
    coaching,
    concerns,
    home,
    leadership,
    recognition,
    reporting,
    surveys,
    walkrounds,
)

app_name = "culture"

urlpatterns = [
    *home.urlpatterns,
    *recognition.urlpatterns,
    *concerns.urlpatterns,
    *reporting.urlpatterns,
    *walkrounds.urlpatterns,
    *coaching.urlpatterns,
    *leadership.urlpatterns,
    *surveys.urlpatterns,
]
