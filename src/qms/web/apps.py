from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qms.web"
    verbose_name = "Web interface"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from qms.web.middleware import mark_session_seen

        # Logging in saves the session anyway: note the time then, so the first pages after
        # it need no second session write (see SessionIdleTimeoutMiddleware).
        user_logged_in.connect(mark_session_seen, dispatch_uid="qms-session-seen")
