"""Safe defaults for a hospital network: Content-Security-Policy and Permissions-Policy,
no caching of signed-in pages and exports on shared computers, an idle session timeout, HSTS
preload only when asked for, and login throttling that sees the real client behind a proxy
and counts failures per account across addresses."""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import RequestFactory, override_settings
from django.utils import timezone

from qms.web.client_ip import client_ip
from qms.web.middleware import _LAST_SEEN
from web.test_settings import run_qms

PASSWORD = "correct-horse-battery"


def log_in(client, username, password, address="192.0.2.10", **headers):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


# Content-Security-Policy and Permissions-Policy -----------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/control/standards/"])
def test_every_page_has_a_strict_content_security_policy(client, member, path):
    client.force_login(member)
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy


def test_it_denies_browser_features_no_page_uses(client, db):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


# Caching ----------------------------------------------------------------------------------------


def test_signed_in_pages_are_not_kept_by_the_browser(client, member, org):
    client.force_login(member)
    for path in ("/", f"/units/{org['ward'].pk}/", f"/control/units/{org['ward'].pk}/measures/"):
        assert client.get(path)["Cache-Control"] == "no-store", path


def test_exports_are_not_kept_by_the_browser(client, lead, org):
    client.force_login(lead)
    report = f"/control/units/{org['ward'].pk}/report/"
    for response in (
        client.get(report, {"format": "csv"}),
        client.get(report, {"format": "xlsx"}),
        client.get("/control/upload/template.csv"),
    ):
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_the_api_answers_are_not_kept(client, db):
    response = client.post("/control/api/v1/observations", {}, content_type="application/json")
    assert response.status_code == 401 and response["Cache-Control"] == "no-store"


def test_static_files_and_the_chart_library_keep_their_caching(client, member):
    client.force_login(member)
    static = client.get("/static/qms/chart.js")
    assert static.status_code == 200
    assert "public" in static["Cache-Control"] and "no-store" not in static["Cache-Control"]
    library = client.get("/control/vega-embed.js")
    assert "max-age=86400" in library["Cache-Control"] and "public" in library["Cache-Control"]


# Idle timeout -----------------------------------------------------------------------------------


def test_the_idle_timeout_is_thirty_minutes_unless_configured(tmp_path, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    result = run_qms(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        env_overrides={"QMS_SESSION_IDLE_MINUTES": "45"},
        tmp_path=tmp_path,
    )
    assert result.stdout.strip() == str(45 * 60), result.stderr


def _session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_left_idle_ends(client, member):
    log_in(client, "member", PASSWORD)
    assert client.get("/").status_code == 200
    # Thirty-one minutes later: the session expired at thirty.
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_activity_keeps_a_session_alive(client, member):
    log_in(client, "member", PASSWORD)
    client.get("/")
    session = client.session
    # Twenty-five minutes of reading one page: five minutes left, last seen long ago.
    session[_LAST_SEEN] = int(time.time()) - 25 * 60
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )
    response = client.get("/")
    assert response.status_code == 200
    left = _session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_it_does_not_write_the_session_on_every_request(client, member):
    log_in(client, "member", PASSWORD)
    client.get("/")
    first = _session(client).expire_date
    client.get("/")  # within the minute: nothing to move
    assert _session(client).expire_date == first


# HSTS -------------------------------------------------------------------------------------------


def _production_setting(tmp_path, name, **env):
    result = run_qms(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        env_overrides={"SECRET_KEY": "x" * 50, **env},
        tmp_path=tmp_path,
    )
    return result.stdout.strip()


def test_hsts_preload_is_off_unless_asked_for(tmp_path):
    assert _production_setting(tmp_path, "SECURE_HSTS_PRELOAD") == "False"
    assert _production_setting(tmp_path, "SECURE_HSTS_SECONDS") == "31536000"
    asked = _production_setting(tmp_path, "SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1")
    assert asked == "True"


# Login throttling behind a proxy ------------------------------------------------------------


def _request(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        # No trusted proxy: a client's own X-Forwarded-For is ignored (it could be anything).
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # Behind the proxy: the address the proxy saw, the right-most one it appended.
        (["10.0.0.1"], "10.0.0.1", "198.51.100.1", "198.51.100.1"),
        # A client that forges the header gets the address the proxy saw, not the forgery.
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two proxies in a network: both skipped.
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.1, 10.2.3.4", "198.51.100.1"),
        # A request that did not come through the proxy: its header is not trusted.
        (["10.0.0.1"], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # A malformed header: the proxy's address, never junk.
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
    ],
)
def test_it_finds_the_client_address_behind_trusted_proxies(
    settings, proxies, remote, forwarded, client
):
    settings.QMS_TRUSTED_PROXIES = proxies
    assert client_ip(_request(remote, forwarded)) == client


def test_it_records_failed_logins_with_the_address_behind_the_proxy(client, member):
    with override_settings(QMS_TRUSTED_PROXIES=["10.0.0.1"]):
        log_in(client, "member", "wrong", address="10.0.0.1", x_forwarded_for="198.51.100.9")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"


def test_it_locks_an_account_attacked_from_many_addresses(client, member):
    for number in range(5):
        log_in(client, "member", "wrong-password", address=f"198.51.100.{number}")
    response = log_in(client, "member", PASSWORD, address="203.0.113.50")
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content


def test_failures_spread_over_addresses_below_the_limit_do_not_lock(client, member):
    for number in range(4):
        log_in(client, "member", "wrong-password", address=f"198.51.100.{number}")
    assert log_in(client, "member", PASSWORD, address="203.0.113.50").status_code == 302
