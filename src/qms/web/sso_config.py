"""Single sign-on's configuration, read from the environment by settings.py (README, "Single
sign-on (Microsoft Entra ID / NHSmail)").

Nothing set means no single sign-on, exactly as before. Some variables set but not enough to
sign anyone in is a mistake, refused when QMS starts (ImproperlyConfigured naming what is
missing) rather than found by the first person at the log-in page.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
# Microsoft Graph's userinfo endpoint, the same for every Entra tenant (the tenant's OpenID
# configuration document names it).
ENTRA_USERINFO = "https://graph.microsoft.com/oidc/userinfo"
# Entra's names for "any tenant": a QMS signs in its own organisation's people, and with any
# tenant anyone could make a directory whose users claim an nhs.net address.
ENTRA_SHARED_TENANTS = {"common", "organizations", "consumers"}
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
DEFAULT_LABEL = "Sign in with NHSmail"
# Variable (without the QMS_OIDC_ prefix) -> SsoConfig field, for the explicit endpoints.
ENDPOINTS = {
    "AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "TOKEN_ENDPOINT": "token_endpoint",
    "USERINFO_ENDPOINT": "userinfo_endpoint",
    "JWKS_ENDPOINT": "jwks_endpoint",
    "ISSUER": "issuer",
    "END_SESSION_ENDPOINT": "end_session_endpoint",
}
REQUIRED_ENDPOINTS = ("AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "JWKS_ENDPOINT", "ISSUER")


@dataclass(frozen=True)
class SsoConfig:
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_endpoint: str
    # The issuer tokens must name. For an Entra tenant given by domain its id is not known
    # here: `entra_tenant_issuer` then accepts Entra's issuer for the tenant the token names.
    issuer: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""
    entra: bool = False
    label: str = DEFAULT_LABEL
    create_accounts: bool = True
    allowed_domains: tuple[str, ...] = ()

    @property
    def entra_tenant_issuer(self) -> bool:
        return self.entra and not self.issuer


def sso_config(
    *,
    client_id: str | None,
    client_secret: str | None,
    entra_tenant: str | None,
    endpoints: dict[str, str | None],
    label: str | None,
    create_accounts: str | None,
    allowed_domains: str | None,
) -> SsoConfig | None:
    """The configuration these variables describe, None when none is set.

    `endpoints` maps the explicit endpoint variables' names without the `QMS_OIDC_` prefix
    (``"TOKEN_ENDPOINT"``) to their values. Raises ImproperlyConfigured naming each problem.
    """
    given = {
        "QMS_OIDC_CLIENT_ID": client_id,
        "QMS_OIDC_CLIENT_SECRET": client_secret,
        "QMS_OIDC_ENTRA_TENANT": entra_tenant,
        "QMS_OIDC_LABEL": label,
        "QMS_OIDC_CREATE_ACCOUNTS": create_accounts,
        "QMS_OIDC_ALLOWED_DOMAINS": allowed_domains,
        **{f"QMS_OIDC_{name}": endpoints.get(name) for name in ENDPOINTS},
    }
    given = {name: (value or "").strip() for name, value in given.items()}
    if not any(given.values()):
        return None
    problems = [
        f"{name} is not set" for name in ("QMS_OIDC_CLIENT_ID", "QMS_OIDC_CLIENT_SECRET")
        if not given[name]
    ]  # fmt: skip
    tenant = given["QMS_OIDC_ENTRA_TENANT"]
    explicit = {name: given[f"QMS_OIDC_{name}"] for name in ENDPOINTS}
    if tenant and any(explicit.values()):
        named = ", ".join(f"QMS_OIDC_{name}" for name, value in explicit.items() if value)
        problems.append(
            f"QMS_OIDC_ENTRA_TENANT derives every endpoint: set it or {named}, not both"
        )
    elif tenant:
        problems.extend(_tenant_problems(tenant))
    else:
        missing = [f"QMS_OIDC_{name}" for name in REQUIRED_ENDPOINTS if not explicit[name]]
        if missing:
            problems.append(
                "neither QMS_OIDC_ENTRA_TENANT nor the provider's endpoints are set "
                f"(missing {', '.join(missing)})"
            )
        for name, value in explicit.items():
            if value and not _is_web_address(value):
                problems.append(
                    f"QMS_OIDC_{name} must be an https:// address (http:// only on this "
                    f"computer), not {value!r}"
                )
    domains = tuple(
        dict.fromkeys(
            part.strip().lstrip("@").lower()
            for part in given["QMS_OIDC_ALLOWED_DOMAINS"].split(",")
            if part.strip()
        )
    )
    problems.extend(
        f"QMS_OIDC_ALLOWED_DOMAINS: {domain!r} is not a domain (e.g. nhs.net)"
        for domain in domains
        if not _DOMAIN.match(domain)
    )
    accounts = _boolean(given["QMS_OIDC_CREATE_ACCOUNTS"], default=True)
    if accounts is None:
        problems.append(
            "QMS_OIDC_CREATE_ACCOUNTS must be true or false, not "
            f"{given['QMS_OIDC_CREATE_ACCOUNTS']!r}"
        )
    label_text = given["QMS_OIDC_LABEL"] or DEFAULT_LABEL
    if len(label_text) > 60:
        problems.append("QMS_OIDC_LABEL must be at most 60 characters (it is a button)")
    if problems:
        raise ImproperlyConfigured(
            "Single sign-on is half configured: " + "; ".join(problems) + ". Set these, or "
            "unset every QMS_OIDC_ variable to use local accounts only (README, 'Single "
            "sign-on')."
        )
    common = {
        "client_id": given["QMS_OIDC_CLIENT_ID"],
        "client_secret": given["QMS_OIDC_CLIENT_SECRET"],
        "label": label_text,
        "create_accounts": bool(accounts),
        "allowed_domains": domains,
    }
    if tenant:
        return SsoConfig(**common, **entra_endpoints(tenant))
    return SsoConfig(**common, **{ENDPOINTS[name]: value for name, value in explicit.items()})


def entra_endpoints(tenant: str) -> dict:
    """A Microsoft Entra ID tenant's endpoints (its OpenID configuration document,
    `<authority>/<tenant>/v2.0/.well-known/openid-configuration`, names the same ones). Entra
    names a tenant's issuer by its id: known here only when the tenant is given by id."""
    base = f"{ENTRA_AUTHORITY}/{tenant}"
    return {
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "jwks_endpoint": f"{base}/discovery/v2.0/keys",
        "userinfo_endpoint": ENTRA_USERINFO,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "issuer": f"{base}/v2.0" if _GUID.match(tenant) else "",
        "entra": True,
    }


def entra_issuer_for(tenant_id: str) -> str:
    """Entra's issuer for a tenant id (a token's `tid`), "" when it is not a tenant id."""
    return f"{ENTRA_AUTHORITY}/{tenant_id.lower()}/v2.0" if _GUID.match(tenant_id or "") else ""


def _tenant_problems(tenant: str) -> list[str]:
    if tenant.lower() in ENTRA_SHARED_TENANTS:
        return [
            f"QMS_OIDC_ENTRA_TENANT must be your organisation's tenant (its id or domain), not "
            f"{tenant!r}, which lets any Microsoft directory sign in"
        ]
    if not (_GUID.match(tenant) or _DOMAIN.match(tenant)):
        return [
            f"QMS_OIDC_ENTRA_TENANT must be a tenant id "
            f"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) or a domain, not {tenant!r}"
        ]
    return []


def _is_web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    # Plain http only to this computer: a provider under test, or a proxy on the same host.
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def _boolean(value: str, *, default: bool) -> bool | None:
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    return None
