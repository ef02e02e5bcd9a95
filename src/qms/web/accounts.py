"""Account views that differ from Django's own."""

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link proves the person owns the account,
    so it also lifts a lockout from failed log-ins."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
