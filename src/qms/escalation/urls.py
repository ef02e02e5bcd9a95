from django.urls import path

from qms.escalation import views

app_name = "escalation"

urlpatterns = [
    path("<int:escalation_id>/respond/", views.respond, name="respond"),
    path(
        "escalate/<slug:app_label>/<slug:model>/<int:object_id>/",
        views.escalate,
        name="escalate",
    ),
]
