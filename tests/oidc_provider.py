"""A real OpenID Connect provider for the single sign-on tests, run inside them.

A threaded HTTP server on 127.0.0.1 (a free port) with the four endpoints QMS uses: authorize
(sends the browser back with a code and the state), token (checks the client's secret, the
redirect URI and the PKCE verifier, and answers with an RS256-signed ID token carrying the
nonce; a code works once), userinfo and jwks. `person` is who signs in next; `spoil` makes the
next ID token wrong in one way (for the tests that QMS refuses it).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from qms.web.sso_config import sso_config

SPOILS = ("signature", "nonce", "audience", "expired", "issuer", "other_key", "alg_none")


class Provider:
    client_id = "qms-test-client"
    client_secret = "test-secret-not-real"

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.person = {
            "sub": "subject-0001",
            "email": "new.starter@nhs.net",
            "email_verified": True,
            "name": "Nia Starter",
            "given_name": "Nia",
            "family_name": "Starter",
        }
        self.spoil = ""
        self.userinfo_sub = ""  # when set, userinfo describes this subject instead
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.issuer = self.base  # what its tokens name as their issuer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "Provider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def config(self, **variables):
        """QMS's configuration for this provider, made as settings.py makes it."""
        endpoints = {
            "AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "TOKEN_ENDPOINT": f"{self.base}/token",
            "USERINFO_ENDPOINT": f"{self.base}/userinfo",
            "JWKS_ENDPOINT": f"{self.base}/jwks",
            "ISSUER": self.issuer,
            "END_SESSION_ENDPOINT": f"{self.base}/logout",
        }
        endpoints.update(variables.pop("endpoints", {}))
        arguments = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "entra_tenant": None,
            "label": None,
            "create_accounts": None,
            "allowed_domains": None,
        }
        arguments.update(variables)
        return sso_config(endpoints=endpoints, **arguments)

    # What the endpoints answer

    def authorize(self, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, b"unknown client"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {}, b"PKCE required"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
            "person": dict(self.person),
            "used": False,
        }
        answer = urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": f"{query['redirect_uri']}?{answer}"}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict, bytes]:
        self.token_requests += 1
        grant = self.codes.get(form.get("code", ""))
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return _json(401, {"error": "invalid_client"})
        if grant is None or grant["used"]:
            return _json(400, {"error": "invalid_grant", "error_description": "code used"})
        grant["used"] = True
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["challenge"]:
            return _json(400, {"error": "invalid_grant", "error_description": "PKCE"})
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant["person"]
        return _json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant["person"], grant["nonce"]),
            },
        )

    def id_token(self, person: dict, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **person,
        }
        key, headers = self.key, {"kid": self.kid}
        if self.spoil == "nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"
        elif self.spoil == "audience":
            claims["aud"] = "another-application"
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.spoil == "issuer":
            claims["iss"] = "https://provider.invalid"
        elif self.spoil == "other_key":
            key = self.other_key
        if self.spoil == "alg_none":
            return jwt.encode(claims, None, algorithm="none", headers=headers)
        token = jwt.encode(claims, key, algorithm="RS256", headers=headers)
        if self.spoil == "signature":
            head, body, signature = token.split(".")
            # The same header and signature over a body that says something else.
            claims["email"] = "someone.else@nhs.net"
            forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
            token = ".".join([head, forged_body.decode(), signature])
        return token

    def userinfo(self, authorization: str) -> tuple[int, dict, bytes]:
        person = self.tokens.get(authorization.removeprefix("Bearer ").strip())
        if person is None:
            return _json(401, {"error": "invalid_token"})
        info = {k: v for k, v in person.items() if k != "email_verified"}
        if self.userinfo_sub:
            info["sub"] = self.userinfo_sub
        return _json(200, info)

    def jwks(self) -> tuple[int, dict, bytes]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return _json(200, {"keys": [public]})


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/authorize":
                self._answer(*provider.authorize(query))
            elif parts.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            elif parts.path == "/jwks":
                self._answer(*provider.jwks())
            else:
                self._answer(404, {}, b"")

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._answer(*provider.token(form))
            else:
                self._answer(404, {}, b"")

        def _answer(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the tests say what matters
            pass

    return Handler
