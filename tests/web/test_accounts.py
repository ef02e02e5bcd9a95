"""Logging in and out, lock-out after repeated failures, password reset, hashing, error pages."""

import re

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core import mail

PASSWORD = "correct-horse-battery"  # what tests/conftest.py's make_person sets


def log_in(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def logged_in_as(client):
    """The user the client's session belongs to, found by asking for a page that needs one."""
    response = client.get("/")
    if response.status_code != 200:
        return None
    return response.context["user"]


def test_it_shows_a_log_in_page_with_labelled_fields(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    for field, label in (("username", "User name"), ("password", "Password")):
        assert f'<label for="id_{field}">{label}</label>' in html
        assert f'name="{field}" id="id_{field}"' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'href="/accounts/password_reset/"' in html


def test_it_logs_in_with_the_right_password(client, member):
    assert logged_in_as(client) is None
    response = log_in(client, "member", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == member


def test_it_goes_to_the_next_page_after_logging_in(client, member, org):
    response = log_in(client, "member", PASSWORD, next=f"/units/{org['ward'].pk}/")
    assert response["Location"] == f"/units/{org['ward'].pk}/"


def test_it_does_not_go_off_site_after_logging_in(client, member):
    response = log_in(client, "member", PASSWORD, next="https://evil.example/")
    assert response["Location"] == "/"


def test_it_refuses_a_wrong_password_with_a_message(client, member):
    response = log_in(client, "member", "wrong-password")
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert logged_in_as(client) is None


def test_it_locks_the_account_after_five_wrong_passwords(client, member):
    for _ in range(4):
        assert b"did not match" in log_in(client, "member", "wrong-password").content
    fifth = log_in(client, "member", "wrong-password")
    assert b"Too many failed log-in attempts" in fifth.content

    response = log_in(client, "member", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert logged_in_as(client) is None


def test_it_does_not_lock_the_account_after_four_wrong_passwords(client, member):
    for _ in range(4):
        log_in(client, "member", "wrong-password")
    response = log_in(client, "member", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == member


def test_it_locks_only_the_account_that_was_attacked(client, member, lead):
    for _ in range(5):
        log_in(client, "member", "wrong-password")
    response = log_in(client, "lead", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == lead


def test_it_resets_a_forgotten_password_by_e_mail(client, member):
    response = client.post("/accounts/password_reset/", {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body)
    assert link, message.body

    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert b"Choose a new password" in form.content
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"

    assert log_in(client, "member", PASSWORD).status_code == 200  # the old one is gone
    assert log_in(client, "member", new_password).status_code == 302
    assert logged_in_as(client) == member


def test_it_refuses_to_use_a_reset_link_twice(client, member):
    client.post("/accounts/password_reset/", {"email": member.email})
    path = re.search(r"https?://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    new_password = "a-brand-new-passphrase-42"
    client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    again = client.get(path, follow=True)
    assert b"This link no longer works" in again.content


def test_it_sends_no_e_mail_for_an_unknown_address(client, member):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer: whether an account exists is not told
    assert mail.outbox == []


def test_it_logs_out_only_on_post(client, member):
    client.force_login(member)
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_as(client) == member

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert logged_in_as(client) is None


def test_it_hashes_passwords_with_argon2_in_production():
    # The test settings use a fast hasher; the real settings must put Argon2 first.
    from qms.config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_can_hash_with_argon2(settings):
    # The hasher the real settings name first must work, i.e. argon2-cffi is installed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert identify_hasher(make_password(PASSWORD)).algorithm == "argon2"


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_it_shows_page_not_found_in_the_product_layout(client, request, db, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found · QMS</title>" in html
    assert "<h1>Page not found</h1>" in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html


def test_a_password_reset_lifts_a_lockout(client, member):
    for _ in range(5):
        log_in(client, "member", "wrong-password")
    assert b"Too many failed log-in attempts" in log_in(client, "member", PASSWORD).content

    client.post("/accounts/password_reset/", {"email": member.email})
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    form = client.get(link.group(1), follow=True)
    new_password = "a-brand-new-passphrase-42"
    client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert log_in(client, "member", new_password).status_code == 302
    assert logged_in_as(client) == member
