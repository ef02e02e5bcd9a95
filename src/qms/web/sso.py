"""Single sign-on with OpenID Connect (Microsoft Entra ID / NHSmail), through mozilla-django-oidc.

The library does the protocol: the authorisation request with its state, nonce and PKCE code
verifier kept in the session, the code exchanged for tokens, the signing key found in the
provider's key set and the signature checked. QMS adds what the library leaves to its users:

- settings from `settings.QMS_SSO` (qms.web.sso_config, read from QMS_OIDC_* variables), not
  from the library's own OIDC_* settings, so that nothing set means no single sign-on;
- every claim of the ID token that says it is for this QMS, now, from this provider: issuer,
  audience (and authorised party), expiry, issue time and nonce (the library checks only the
  signature and the nonce: an expired token or one made for another application would pass);
- the account, found by qms.people.services.external_identity_sign_in (subject first, a
  confirmed e-mail address once);
- every failure a page saying what happened and what to do, never a server error (the
  library raises, or sends the person to "/" without a word).
"""

import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from qms.people import services
from qms.web.sso_config import SsoConfig, entra_issuer_for

BACKEND = "qms.web.sso.SsoBackend"
# Marks a session opened through the provider, so logging out can offer the provider's too.
SESSION_KEY = "qms_signed_in_with_sso"
# Seconds of difference between our clock and the provider's that a token's times forgive.
CLOCK_LEEWAY = 60
# A sign-in started this long ago and not finished is void (its state and nonce are dropped).
STARTED_AT_MOST_SECONDS_AGO = 15 * 60
# Seconds to wait for the provider (connecting, then answering) before telling the person.
PROVIDER_TIMEOUT = (5, 15)
SIGNING_ALGORITHM = "RS256"
SCOPES = "openid email profile"


class SsoFailed(Exception):
    """The sign-in could not be completed: the message says why, for the person."""


def config() -> SsoConfig | None:
    return getattr(settings, "QMS_SSO", None)


def provider_name(sso: SsoConfig) -> str:
    """The provider as the button names it ("NHSmail" for "Sign in with NHSmail")."""
    label = sso.label.strip()
    for prefix in ("Sign in with ", "Log in with "):
        if label.startswith(prefix) and label[len(prefix) :].strip():
            return label[len(prefix) :].strip()
    return "your organisation's sign-in"


def library_setting(attr: str, *default):
    """mozilla-django-oidc's settings, made from QMS_SSO; the library asks through this."""
    sso = config()
    values = {
        "OIDC_RP_CLIENT_ID": sso.client_id if sso else "",
        "OIDC_RP_CLIENT_SECRET": sso.client_secret if sso else "",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": sso.authorization_endpoint if sso else "",
        "OIDC_OP_TOKEN_ENDPOINT": sso.token_endpoint if sso else "",
        "OIDC_OP_USER_ENDPOINT": sso.userinfo_endpoint if sso else "",
        "OIDC_OP_JWKS_ENDPOINT": sso.jwks_endpoint if sso else "",
        "OIDC_RP_SIGN_ALGO": SIGNING_ALGORITHM,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": PROVIDER_TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:callback",
        # Ward computers are shared: Entra asks which account, rather than silently signing
        # in whoever used the browser last.
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"prompt": "select_account"} if sso and sso.entra else {},
    }
    if attr in values:
        return values[attr]
    return getattr(settings, attr, *default)


class SsoBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouches for; never checks a password."""

    get_settings = staticmethod(library_setting)

    def authenticate(self, request, **kwargs):
        # Only the callback's call carries the nonce kept with the state: a password log-in
        # (which asks every back end) never reaches the provider.
        if request is None or config() is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        # The library's own skips Django's check that the account is open: a closed account's
        # session would carry on.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        """The ID token's claims, once its signature, issuer, audience, times and nonce hold."""
        sso = config()
        assert sso is not None  # authenticate() goes no further without it
        provider = provider_name(sso)
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, TypeError, ValueError):
            raise SsoFailed(f"The token from {provider} could not be read.") from None
        if header.get("alg") != SIGNING_ALGORITHM:
            raise SsoFailed(f"The token from {provider} is not signed the way QMS expects.")
        key = self.retrieve_matching_jwk(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[SIGNING_ALGORITHM],
                audience=sso.client_id,
                issuer=sso.issuer or None,
                leeway=CLOCK_LEEWAY,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise SsoFailed(
                f"The sign-in from {provider} had expired by the time it reached QMS (or this "
                "server's clock is wrong)."
            ) from None
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise SsoFailed(f"The token from {provider} was not made for this QMS.") from None
        except jwt.PyJWTError:
            raise SsoFailed(f"The token from {provider} failed its checks.") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != sso.client_id:
            raise SsoFailed(f"The token from {provider} was not made for this QMS.")
        if sso.entra_tenant_issuer and claims["iss"] != entra_issuer_for(
            str(claims.get("tid", ""))
        ):
            raise SsoFailed(f"The token from {provider} was not made for this QMS.")
        if "nonce" in kwargs and claims.get("nonce") != kwargs["nonce"]:
            # A token made for another sign-in (replayed, or injected into this one).
            raise SsoFailed(f"The token from {provider} belongs to another sign-in.")
        for claim in ("iss", "sub"):
            if not isinstance(claims[claim], str) or not claims[claim].strip():
                raise SsoFailed(f"The token from {provider} does not say who you are.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with what the userinfo endpoint adds (when there is one)."""
        sso = config()
        assert sso is not None
        if not sso.userinfo_endpoint:
            return dict(payload)
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload["sub"]:
            # OpenID Connect Core 5.3.2: an answer about someone else must not be used.
            raise SsoFailed(f"{provider_name(sso)} described someone else.")
        return merged_claims(payload, info)

    def get_or_create_user(self, access_token, id_token, payload):
        sso = config()
        assert sso is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        return services.external_identity_sign_in(
            claims=external_claims(payload["iss"], payload["sub"], claims, entra=sso.entra),
            provider=provider_name(sso),
            create_accounts=sso.create_accounts,
            allowed_domains=sso.allowed_domains,
        )


def merged_claims(id_claims: dict, userinfo: dict) -> dict:
    """The signed ID token's claims win; userinfo fills the gaps. Its word that an e-mail is
    verified counts only for the address it gives, when the token names another."""
    merged = dict(userinfo)
    merged.update(id_claims)
    token_email, info_email = id_claims.get("email"), userinfo.get("email")
    if (
        isinstance(token_email, str)
        and "email_verified" not in id_claims
        and not (isinstance(info_email, str) and info_email.lower() == token_email.lower())
    ):
        merged.pop("email_verified", None)
    return merged


def external_claims(
    issuer: str, subject: str, claims: dict, *, entra: bool
) -> services.ExternalClaims:
    """What qms.people needs from the provider's claims, every value a string."""

    def text(name: str) -> str:
        value = claims.get(name)
        return value.strip() if isinstance(value, str) else ""

    # Entra sends no email_verified; its optional claim xms_edov says the address's domain is
    # verified by the tenant (the app registration must ask for it: README).
    verified = _is_true(claims.get("email_verified")) or (
        entra and _is_true(claims.get("xms_edov"))
    )
    email = text("email")
    return services.ExternalClaims(
        issuer=issuer[:300],
        subject=subject[:255],
        email=email if len(email) <= 254 and "@" in email else "",
        email_verified=verified,
        display_name=text("name"),
        first_name=text("given_name"),
        last_name=text("family_name"),
    )


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


class SsoStartView(OIDCAuthenticationRequestView):
    """The button: off to the provider, with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(library_setting)

    def get(self, request):
        if config() is None:
            raise Http404("Single sign-on is not set up here.")
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: check the answer, sign them in, or say why
    not."""

    get_settings = staticmethod(library_setting)

    def get(self, request):
        sso = config()
        if sso is None:
            raise Http404("Single sign-on is not set up here.")
        provider = provider_name(sso)
        states = request.session.get("oidc_states")
        state = request.GET.get("state", "")
        started = states.pop(state, None) if isinstance(states, dict) else None
        if started is not None:
            # Used once: the same answer brought back again finds nothing.
            request.session.modified = True
        if request.GET.get("error"):
            return failure(request, sso, _provider_error(request.GET["error"], provider))
        if not request.GET.get("code") or not isinstance(started, dict):
            return failure(
                request,
                sso,
                f"This answer from {provider} does not belong to a sign-in started here, or it "
                "was used already. Start again from the log-in page.",
            )
        if time.time() - float(started.get("added_on", 0)) > STARTED_AT_MOST_SECONDS_AGO:
            return failure(request, sso, "This sign-in was started too long ago. Start again.")
        try:
            person = SsoBackend().authenticate(
                request, nonce=started.get("nonce"), code_verifier=started.get("code_verifier")
            )
        except services.SignInRefused as refusal:
            return failure(request, sso, str(refusal), status=403)
        except SsoFailed as problem:
            return failure(request, sso, str(problem))
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if 400 <= status < 500:
                return failure(
                    request,
                    sso,
                    f"{provider} refused to finish this sign-in (it may have been used "
                    "already, or taken too long). Start again.",
                )
            return _unreachable(request, sso)
        except requests.RequestException:
            return _unreachable(request, sso)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError, ValueError):
            # The library's own refusals (no key in the key set matches the token), and
            # answers not shaped as the protocol says.
            return failure(request, sso, f"The answer from {provider} failed QMS's checks.")
        if person is None or not person.is_active:
            return failure(request, sso, f"{provider} did not sign you in.", status=403)
        auth.login(request, person, backend=BACKEND)
        request.session[SESSION_KEY] = True
        return self.login_redirect()

    def login_redirect(self):
        # Checked as safe when the sign-in started (the library's get_next_url).
        next_url = self.request.session.pop("oidc_login_next", None)
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def failure(request, sso: SsoConfig, message: str, *, status: int = 400):
    """The page for a sign-in that did not happen: why, and the ways on (again, or the form)."""
    return render(
        request,
        "registration/sso_failed.html",
        {"message": message, "sso_label": sso.label, "provider": provider_name(sso)},
        status=status,
    )


def _unreachable(request, sso: SsoConfig):
    provider = provider_name(sso)
    return failure(
        request,
        sso,
        f"QMS could not reach {provider} to finish signing you in (it may be down, or busy). "
        "Try again in a few minutes; if you have a QMS password you can use it meanwhile.",
    )


def _provider_error(code: str, provider: str) -> str:
    # The provider's own description is not shown: anyone can put words in a link to here.
    if code == "access_denied":
        return f"{provider} did not sign you in (it was cancelled, or access was refused)."
    return f"{provider} could not sign you in. Start again, or ask your QMS system administrator."


def end_session_url(request) -> str:
    """The provider's own log-out, offered after QMS's when the session came through it."""
    sso = config()
    if sso is None or not sso.end_session_endpoint or not request.session.get(SESSION_KEY):
        return ""
    return f"{sso.end_session_endpoint}?{urlencode({'client_id': sso.client_id})}"
