"""Account views that differ from Django's own."""

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from qms.web import sso


class LoginView(auth_views.LoginView):
    """Django's log-in form, with the single sign-on button above it when it is set up."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        config = sso.config()
        context["sso_label"] = config.label if config else ""
        return context


class LogoutView(auth_views.LogoutView):
    """Ends the QMS session. When it was opened through the identity provider, whose own
    session lives on in the browser (a shared ward computer would sign the next person in as
    this one), the page offers the provider's log-out too."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.end_session_url(request)
        response = super().post(request, *args, **kwargs)
        if not provider_logout:
            return response
        return render(
            request,
            "registration/logged_out_sso.html",
            {"provider_logout": provider_logout, "provider": sso.provider_name(sso.config())},
        )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link proves the person owns the account,
    so it also lifts a lockout from failed log-ins."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
