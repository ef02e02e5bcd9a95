from django.contrib import admin
from django.urls import include, path, re_path

from qms.config.api import api, reference
from qms.control.fhir.api import api as fhir_api
from qms.web import accounts, views
from qms.web.api import unknown_route

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("qms.web.sso_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/docs", reference, name="api-reference"),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", unknown_route),  # JSON 404s for paths no route takes
    path("fhir/r4/", fhir_api.urls),
    path("", include("qms.people.urls")),
    path("inbox/", include("qms.notifications.urls")),
    path("comments/", include("qms.comments.urls")),
    path("issues/", include("qms.issues.urls")),
    path("escalations/", include("qms.escalation.urls")),
    path("control/", include("qms.control.urls")),
    path("improve/", include("qms.improvement.urls")),
    path("plan/", include("qms.planning.urls")),
    path("learn/", include("qms.learning.urls")),
    path("culture/", include("qms.culture.urls")),
    path("partners/", include("qms.codesign.urls")),
    path("skills/", include("qms.capability.urls")),
]
