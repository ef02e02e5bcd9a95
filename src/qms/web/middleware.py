"""Safe defaults for pages used on shared ward computers in a hospital network."""

import time

from django.conf import settings

# Browser features no page of QMS uses: denied to the pages and to anything they embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and `Cache-Control: no-store` on everything a view
    makes (pages, exports, API answers), so a shared computer's browser keeps no copy of a
    signed-in page to show the next person who presses Back. A view that declares itself
    publicly cacheable (the chart library) keeps its caching; static files are served by
    WhiteNoise before this middleware and keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "public" not in response.headers.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response


# How often an active session's expiry is pushed forward: once a minute is precise enough for
# a 30-minute timeout, and spares the database a session write on every request.
_TOUCH_EVERY = 60
_LAST_SEEN = "_qms_last_seen"


def mark_session_seen(sender, request, user, **kwargs) -> None:
    """On log-in: the session starts its idle time now."""
    if getattr(request, "session", None) is not None:
        request.session[_LAST_SEEN] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """Sign people out after SESSION_COOKIE_AGE seconds without a request (30 minutes unless
    QMS_SESSION_IDLE_MINUTES says otherwise). Django expires a session that age after it was
    last saved; this saves it again, at most once a minute, while the person is active, which
    moves the expiry (and the cookie's) forward. Must come after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        if session.session_key is None:
            # Signed in without a session: an API key (qms.web.api.KeyAuth) acts for this
            # request alone. Touching it would make a session row and a cookie per call.
            return response
        now = int(time.time())
        if now - session.get(_LAST_SEEN, 0) >= min(_TOUCH_EVERY, settings.SESSION_COOKIE_AGE):
            session[_LAST_SEEN] = now  # marks the session modified: saved with a new expiry
        return response
