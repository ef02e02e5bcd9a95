"""Single sign-on's two addresses: the provider's redirect URI is `<SITE_URL>/oidc/callback/`."""

from django.urls import path

from qms.web import sso

app_name = "sso"
urlpatterns = [
    path("authenticate/", sso.SsoStartView.as_view(), name="start"),
    path("callback/", sso.SsoCallbackView.as_view(), name="callback"),
]
