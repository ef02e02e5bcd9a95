from django.contrib import admin
from django.urls import include, path

from qms.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<slug:slug>/", views.area, name="area"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("qms.people.urls")),
]
