from django.urls import path

from qms.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("e-mail/", views.email_preference, name="email-preference"),
]
