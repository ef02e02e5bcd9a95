from django.urls import include, path

urlpatterns = [
    path("", include("qms.control.urls_upload")),
    path("", include("qms.control.urls_report")),
]
