"""Single sign-on with OpenID Connect, against a real provider run inside the tests
(tests/oidc_provider.py): the whole flow through Django's test client, and once in Chromium."""

import dataclasses
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from browser_support import shot
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from helpers import make_person
from oidc_provider import SPOILS, Provider
from playwright.sync_api import expect

from qms.people import services
from qms.people.models import ExternalIdentity, Person
from qms.people.roles import Role
from qms.web.sso_config import ENTRA_AUTHORITY, entra_issuer_for, sso_config

PASSWORD = "correct-horse-battery"


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def sso(settings, provider):
    """QMS set up for the provider, as the QMS_OIDC_* variables would set it."""

    def configure(**variables):
        settings.QMS_SSO = provider.config(**variables)
        backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != "qms.web.sso.SsoBackend"]
        settings.AUTHENTICATION_BACKENDS = [*backends, "qms.web.sso.SsoBackend"]
        return provider

    configure()
    return configure


def sign_in(client, provider, *, start="/oidc/authenticate/"):
    """Press the button, let the provider answer, and bring its answer back to QMS."""
    response = client.get(start)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.base}/authorize?")
    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client):
    response = client.get("/")
    return response.wsgi_request.user if response.status_code == 200 else None


# Accounts: made, linked, matched


@pytest.mark.django_db
def test_it_makes_an_account_with_no_role_for_a_new_person(client, sso):
    response = sign_in(client, sso())
    assert response.status_code == 302 and response["Location"] == "/"
    person = Person.objects.get(email="new.starter@nhs.net")
    assert person.display_name == "Nia Starter"
    assert (person.first_name, person.last_name) == ("Nia", "Starter")
    assert not person.has_usable_password()
    assert not person.memberships.exists() and not person.is_superuser
    identity = ExternalIdentity.objects.get(person=person)
    assert (identity.issuer, identity.subject) == (sso().issuer, "subject-0001")
    assert identity.last_sign_in_at is not None
    home = client.get("/")
    assert home.wsgi_request.user == person
    assert b"You have no role in any unit yet, so QMS shows you nothing" in home.content


@pytest.mark.django_db
def test_a_new_account_is_named_by_its_address_in_characters_user_names_allow(client, sso):
    provider = sso()
    provider.person.update(email="Aoife.O'Brien@nhs.net", sub="subject-aoife")
    assert sign_in(client, provider).status_code == 302
    person = Person.objects.get(email="Aoife.O'Brien@nhs.net")
    assert person.username == "aoife.o-brien@nhs.net"
    person.full_clean()  # valid as the admin's form would check it


@pytest.mark.django_db
def test_it_links_an_existing_account_by_its_confirmed_email_in_any_case(client, sso, member):
    provider = sso()
    provider.person.update(email="MEMBER@Example.org", sub="subject-member")
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert signed_in_as(client) == member
    assert ExternalIdentity.objects.get(subject="subject-member").person == member
    assert Person.objects.count() == 1
    member.refresh_from_db()
    assert member.memberships.get().role == Role.TEAM_MEMBER  # roles kept
    assert member.check_password(PASSWORD)  # the password still works too


@pytest.mark.django_db
def test_it_signs_in_by_subject_after_the_email_changes(client, sso, member):
    provider = sso()
    provider.person.update(email="member@example.org", sub="subject-member")
    sign_in(client, provider)
    client.logout()
    provider.person.update(email="m.ember@nhs.net", name="Mem Ber")
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert signed_in_as(client) == member
    member.refresh_from_db()
    assert (member.email, member.display_name) == ("m.ember@nhs.net", "Mem Ber")
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_it_keeps_an_unconfirmed_email_out_of_the_account(client, sso, member):
    provider = sso()
    provider.person.update(email="member@example.org", sub="subject-member")
    sign_in(client, provider)
    client.logout()
    provider.person.update(email="unchecked@nhs.net", email_verified=False)
    assert sign_in(client, provider).status_code == 302
    member.refresh_from_db()
    assert member.email == "member@example.org"


@pytest.mark.django_db
def test_it_refuses_a_first_sign_in_without_a_confirmed_email(client, sso, member):
    provider = sso()
    provider.person.update(email="member@example.org", email_verified=False)
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"did not confirm your e-mail address" in response.content
    assert signed_in_as(client) is None
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_email_domain_it_does_not_allow(client, sso):
    provider = sso(allowed_domains="nhs.net, @nhs.scot")
    provider.person.update(email="someone@gmail.com")
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"someone@gmail.com, is not in a domain this QMS accepts" in response.content
    assert b"nhs.net, nhs.scot" in response.content
    assert not Person.objects.exists() and signed_in_as(client) is None
    provider.person.update(email="someone@NHS.scot")
    assert sign_in(client, provider).status_code == 302
    assert Person.objects.get().email == "someone@NHS.scot"


@pytest.mark.django_db
def test_it_refuses_a_new_person_when_accounts_are_not_made(client, sso, member):
    provider = sso(create_accounts="false")
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"There is no QMS account for new.starter@nhs.net" in response.content
    assert b"does not make accounts at first sign-in" in response.content
    assert Person.objects.count() == 1 and signed_in_as(client) is None
    # An existing account is still linked.
    provider.person.update(email="member@example.org")
    assert sign_in(client, provider).status_code == 302
    assert signed_in_as(client) == member


@pytest.mark.django_db
def test_it_never_links_a_system_administrator_by_email(client, sso, org):
    admin = make_person("admin", (Role.SYSTEM_ADMINISTRATOR, org["board"]))
    provider = sso()
    provider.person.update(email="admin@example.org")
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"signs in with its user name and password" in response.content
    assert not ExternalIdentity.objects.exists() and signed_in_as(client) is None
    # The local form still signs the administrator in.
    local = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert local.status_code == 302
    assert signed_in_as(client) == admin


@pytest.mark.django_db
def test_it_never_links_a_partner_by_email(client, sso, partner):
    provider = sso()
    provider.person.update(email=partner.email.upper())
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"signs in with its user name and password" in response.content
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_closed_account(client, sso, member):
    provider = sso()
    provider.person.update(email="member@example.org", sub="subject-member")
    sign_in(client, provider)
    client.logout()
    services.person_update(by=None, person=member, is_active=False)
    response = sign_in(client, provider)
    assert response.status_code == 403
    assert b"Your QMS account is closed" in response.content
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_a_session_ends_when_its_account_is_closed(client, sso, member):
    provider = sso()
    provider.person.update(email="member@example.org")
    sign_in(client, provider)
    assert signed_in_as(client) == member
    services.person_update(by=None, person=member, is_active=False)
    assert client.get("/").status_code == 302  # to the log-in page


@pytest.mark.django_db
def test_it_goes_on_to_the_page_asked_for_and_never_off_site(client, sso, lead, org):
    provider = sso()
    provider.person.update(email="lead@example.org")
    unit_page = f"/units/{org['ward'].pk}/"
    response = sign_in(client, provider, start=f"/oidc/authenticate/?next={unit_page}")
    assert response["Location"] == unit_page
    client.logout()
    response = sign_in(client, provider, start="/oidc/authenticate/?next=https://evil.example/")
    assert response["Location"] == "/"


# Answers QMS refuses


@pytest.mark.django_db
@pytest.mark.parametrize("spoil", SPOILS)
def test_it_refuses_an_id_token_that_fails_its_checks(client, sso, spoil):
    provider = sso()
    provider.spoil = spoil
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert b"Signing in with" in response.content and b'role="alert"' in response.content
    expected = {
        "nonce": b"belongs to another sign-in",
        "audience": b"was not made for this QMS",
        "issuer": b"was not made for this QMS",
        "expired": b"had expired",
        "signature": b"failed its checks",
        "other_key": b"failed its checks",
        "alg_none": b"not signed the way QMS expects",
    }[spoil]
    assert expected in response.content
    assert signed_in_as(client) is None
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_entra_tenant_given_by_domain_accepts_its_own_issuer_and_xms_edov(
    client, sso, member, settings
):
    """Entra names the issuer by the tenant's id, which a domain does not tell: the token's own
    tenant (`tid`) must name it. Entra sends no email_verified; xms_edov says the same."""
    provider = sso()
    tenant = "37c354b2-85b0-47f5-b222-07b48d774ee3"
    settings.QMS_SSO = dataclasses.replace(settings.QMS_SSO, issuer="", entra=True)
    provider.issuer = f"{ENTRA_AUTHORITY}/{tenant}/v2.0"
    provider.person.update(tid=tenant, email="member@example.org", xms_edov=True)
    del provider.person["email_verified"]
    assert sign_in(client, provider).status_code == 302
    assert signed_in_as(client) == member
    assert ExternalIdentity.objects.get().issuer == f"{ENTRA_AUTHORITY}/{tenant}/v2.0"
    client.logout()
    provider.person["tid"] = "00000000-0000-0000-0000-000000000000"  # another tenant's token
    response = sign_in(client, provider)
    assert response.status_code == 400 and b"was not made for this QMS" in response.content
    provider.person.update(tid=tenant, xms_edov=False, sub="subject-other")
    response = sign_in(client, provider)
    assert response.status_code == 403 and b"did not confirm your e-mail" in response.content


@pytest.mark.django_db
def test_it_refuses_userinfo_about_someone_else(client, sso):
    provider = sso()
    provider.userinfo_sub = "subject-someone-else"
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert b"described someone else" in response.content
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_answer_it_did_not_ask_for(client, sso):
    sso()
    response = client.get("/oidc/callback/?code=abc&state=made-up")
    assert response.status_code == 400
    assert b"does not belong to a sign-in started here" in response.content
    assert client.get("/oidc/callback/").status_code == 400
    assert client.get("/oidc/callback/?state[]=x&code=").status_code == 400


@pytest.mark.django_db
def test_it_refuses_the_same_answer_twice(client, sso):
    provider = sso()
    start = client.get("/oidc/authenticate/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.logout()
    replayed = client.get(f"{back.path}?{back.query}")
    assert replayed.status_code == 400
    assert b"was used already" in replayed.content
    assert provider.token_requests == 1  # the replay never reached the provider


@pytest.mark.django_db
def test_it_refuses_a_code_used_already_under_a_fresh_state(client, sso):
    provider = sso()
    start = client.get("/oidc/authenticate/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    assert sign_in(client, provider).status_code == 302  # another sign-in, used normally
    client.logout()
    # An attacker's own fresh state, with the first sign-in's code (which it had redeemed).
    first = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(first["Location"]).query)["state"][0]
    provider.codes[code]["used"] = True
    response = client.get(f"/oidc/callback/?code={code}&state={state}")
    assert response.status_code == 400
    assert b"refused to finish this sign-in" in response.content
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_it_says_so_when_the_provider_is_down(client, sso, provider):
    sso(endpoints={"TOKEN_ENDPOINT": "http://127.0.0.1:9/token"})  # the discard port: closed
    response = sign_in(client, provider)
    assert response.status_code == 400
    assert b"could not reach NHSmail" in response.content
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_it_says_so_when_the_provider_answers_with_an_error(client, sso):
    sso()
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(
        f"/oidc/callback/?error=access_denied&error_description=Click+evil.example&state={state}"
    )
    assert response.status_code == 400
    assert b"did not sign you in" in response.content
    assert b"evil.example" not in response.content


# The log-in and log-out pages


@pytest.mark.django_db
def test_the_login_page_shows_the_button_above_the_local_form(client, sso):
    sso(label="Sign in with NHSmail (Entra)")
    page = client.get("/accounts/login/?next=/control/").content.decode()
    assert "Sign in with NHSmail (Entra)" in page
    assert 'href="/oidc/authenticate/?next=/control/"' in page
    assert page.index("/oidc/authenticate/") < page.index('name="password"')


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client, settings, member):
    settings.QMS_SSO = None
    page = client.get("/accounts/login/").content.decode()
    assert "/oidc/" not in page and "autofocus" in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    local = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert local.status_code == 302


@pytest.mark.django_db
def test_local_log_ins_are_still_throttled(client, sso, member, settings):
    sso()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "member", "password": "wrong-password"})
    locked = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert b"Too many failed log-in attempts" in locked.content
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_failed_sign_ins_do_not_lock_anyone_out(client, sso, member, settings):
    provider = sso()
    provider.spoil = "audience"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(client, provider).status_code == 400
    provider.spoil = ""
    provider.person.update(email="member@example.org")
    assert sign_in(client, provider).status_code == 302
    assert signed_in_as(client) == member


@pytest.mark.django_db
def test_logging_out_offers_the_providers_log_out(client, sso):
    provider = sso()
    sign_in(client, provider)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert f'href="{provider.base}/logout?client_id=qms-test-client"'.encode() in response.content
    assert b"You have logged out of QMS" in response.content


@pytest.mark.django_db
def test_logging_out_of_a_local_session_is_as_before(client, sso, member):
    sso()
    client.force_login(member)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


# Configuration


def test_nothing_set_is_no_single_sign_on():
    empty = dict.fromkeys(["client_id", "client_secret", "entra_tenant", "label",
                           "create_accounts", "allowed_domains"])  # fmt: skip
    assert sso_config(endpoints={"ISSUER": ""}, **empty) is None


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"client_id": "abc"}, "QMS_OIDC_CLIENT_SECRET is not set"),
        ({"client_id": "abc", "client_secret": "s"}, "missing QMS_OIDC_AUTHORIZATION_ENDPOINT"),
        ({"label": "Sign in"}, "QMS_OIDC_CLIENT_ID is not set"),
        ({"client_id": "a", "client_secret": "s", "entra_tenant": "common"}, "not 'common'"),
        ({"client_id": "a", "client_secret": "s", "entra_tenant": "not a tenant"}, "tenant id"),
        (
            {
                "client_id": "a",
                "client_secret": "s",
                "entra_tenant": "nhs.net",
                "endpoints": {"ISSUER": "https://x.example"},
            },
            "not both",
        ),  # fmt: skip
        (
            {
                "client_id": "a",
                "client_secret": "s",
                "entra_tenant": "nhs.net",
                "create_accounts": "maybe",
            },
            "QMS_OIDC_CREATE_ACCOUNTS must be true or false",
        ),  # fmt: skip
        (
            {
                "client_id": "a",
                "client_secret": "s",
                "entra_tenant": "nhs.net",
                "allowed_domains": "nhs.net,not a domain",
            },
            "'not a domain' is not a domain",
        ),  # fmt: skip
    ],
)
def test_half_a_configuration_is_refused_naming_what_is_wrong(variables, named):
    arguments = dict.fromkeys(["client_id", "client_secret", "entra_tenant", "label",
                               "create_accounts", "allowed_domains"])  # fmt: skip
    arguments["endpoints"] = {}
    arguments.update(variables)
    with pytest.raises(ImproperlyConfigured, match="half configured") as refused:
        sso_config(**arguments)
    assert named in str(refused.value)


def test_explicit_endpoints_must_be_https_unless_on_this_computer(provider):
    with pytest.raises(ImproperlyConfigured, match="QMS_OIDC_TOKEN_ENDPOINT must be an https"):
        provider.config(endpoints={"TOKEN_ENDPOINT": "http://idp.example/token"})
    assert provider.config().token_endpoint.startswith("http://127.0.0.1:")


def test_an_entra_tenant_derives_its_endpoints():
    tenant = "37c354b2-85b0-47f5-b222-07b48d774ee3"
    config = sso_config(client_id="app", client_secret="s", entra_tenant=tenant, endpoints={},
                        label=None, create_accounts="0", allowed_domains="nhs.net")  # fmt: skip
    base = f"{ENTRA_AUTHORITY}/{tenant}"
    assert config.authorization_endpoint == f"{base}/oauth2/v2.0/authorize"
    assert config.token_endpoint == f"{base}/oauth2/v2.0/token"
    assert config.jwks_endpoint == f"{base}/discovery/v2.0/keys"
    assert config.userinfo_endpoint == "https://graph.microsoft.com/oidc/userinfo"
    assert config.end_session_endpoint == f"{base}/oauth2/v2.0/logout"
    assert config.issuer == f"{base}/v2.0" and not config.entra_tenant_issuer
    assert (config.label, config.create_accounts, config.allowed_domains) == (
        "Sign in with NHSmail",
        False,
        ("nhs.net",),
    )
    by_domain = sso_config(client_id="app", client_secret="s", entra_tenant="nhs.net",
                           endpoints={}, label=None, create_accounts=None,
                           allowed_domains=None)  # fmt: skip
    assert by_domain.token_endpoint == f"{ENTRA_AUTHORITY}/nhs.net/oauth2/v2.0/token"
    # The tenant's id is not known from its domain: the token's own tenant names the issuer.
    assert by_domain.issuer == "" and by_domain.entra_tenant_issuer
    assert entra_issuer_for(tenant.upper()) == f"{base}/v2.0"
    assert entra_issuer_for("nhs.net") == ""


def test_settings_refuse_to_start_half_configured(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QMS_OIDC_")},
        "QMS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "qms.config.settings",
        "QMS_OIDC_CLIENT_ID": "abc",
    }
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert "QMS_OIDC_CLIENT_SECRET is not set" in started.stderr
    environment["QMS_OIDC_CLIENT_SECRET"] = "secret"
    environment["QMS_OIDC_ENTRA_TENANT"] = "nhs.net"
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings; print(settings.QMS_SSO.token_endpoint, settings.AUTHENTICATION_BACKENDS[-1])"],
        env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == [
        f"{ENTRA_AUTHORITY}/nhs.net/oauth2/v2.0/token",
        "qms.web.sso.SsoBackend",
    ]


@pytest.mark.django_db
def test_only_a_system_administrator_unlinks_an_identity(client, sso, member, org):
    admin = make_person("admin", (Role.SYSTEM_ADMINISTRATOR, org["board"]))
    provider = sso()
    provider.person.update(email="member@example.org")
    sign_in(client, provider)
    identity = ExternalIdentity.objects.get()
    with pytest.raises(PermissionDenied):
        services.external_identity_remove(by=member, identity=identity)
    client.force_login(admin)
    listed = client.get("/admin/people/externalidentity/")
    assert listed.status_code == 200 and b"subject-0001" in listed.content
    page = f"/admin/people/externalidentity/{identity.pk}/"
    assert client.get(f"{page}change/").status_code == 200  # to read
    assert client.post(f"{page}change/", {"subject": "x"}).status_code == 403
    response = client.post(f"{page}delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ExternalIdentity.objects.exists()
    client.force_login(member)
    assert client.get("/admin/people/externalidentity/").status_code in (302, 403, 404)


@pytest.mark.browser
def test_in_a_browser_the_button_signs_in_and_each_page_passes_axe(live_server, sso, member, page):
    provider = sso()
    provider.person.update(email="member@example.org")
    base, axe = live_server.url, Axe()
    page.set_default_timeout(30_000)  # a loaded machine serves the first page slowly

    def check(name: str) -> None:
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            violations = axe.run(page).response["violations"]
            assert [v["id"] for v in violations] == [], name
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{name} is wider than {width} px"
            shot(page, f"sso-{name}-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/accounts/login/")
    check("login")
    page.get_by_role("link", name="Sign in with NHSmail").click()
    page.wait_for_url(f"{base}/")
    # Signed in as the member, named now as the provider's directory names them.
    expect(page.get_by_role("heading", name="Welcome, Nia Starter")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You have logged out of QMS")).to_be_visible()
    check("logged-out")
    link = page.get_by_role("link", name="Sign out of NHSmail")
    assert link.get_attribute("href") == f"{provider.base}/logout?client_id={provider.client_id}"
    provider.spoil = "expired"
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Sign in with NHSmail").click()
    page.wait_for_url(f"{base}/oidc/callback/**")
    expect(page.get_by_role("alert")).to_contain_text("The sign-in from NHSmail had expired")
    check("failed")
