"""Integration keys: how another system (a patient administration system, an audit tool) posts
observations through the API, limited to one unit and the units below it.

A key reads "qms_<prefix>_<secret>". The prefix finds the key's record; only a SHA-256 hash of
the whole key is stored, and the key is shown once, when it is made.

Why SHA-256 and not the password hasher (argon2): a password hasher is slow on purpose, to make
guessing a person's low-entropy password expensive. An integration key is 256 random bits, which
no amount of guessing finds, fast hash or not; a slow hash would only cost every API call tens
of milliseconds of CPU and give anyone with a made-up key a cheap way to load the server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.control.models import IntegrationToken
from qms.control.roles import MEASURE_EDITORS
from qms.people import access
from qms.people.models import Person, Unit

SCHEME = "qms"
_PREFIX_BYTES = 4  # 8 hex characters: which record, not a secret
_SECRET_BYTES = 32  # 256 bits


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_editor(by: Person | None, unit: Unit) -> None:
    if by is not None and not access.can(by, unit, MEASURE_EDITORS):
        raise PermissionDenied("Your role in this unit does not allow managing integration keys.")


@transaction.atomic
def token_create(*, by: Person | None, unit: Unit, name: str) -> tuple[IntegrationToken, str]:
    """Make a key for an integration in `unit`. Returns the record and the key itself, which
    is shown to the person once and never stored."""
    _check_editor(by, unit)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the integration, e.g. “Theatre system feed”."})
    if len(name) > IntegrationToken._meta.get_field("name").max_length:
        raise ValidationError({"name": "The name is too long: 100 characters at most."})
    for _ in range(5):  # a clash of 32-bit prefixes is rare; try again rather than fail
        prefix = secrets.token_hex(_PREFIX_BYTES)
        key = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
        try:
            with transaction.atomic():
                token = IntegrationToken.objects.create(
                    name=name, unit=unit, prefix=prefix, key_hash=_hash(key), created_by=by
                )
        except IntegrityError:
            continue
        return token, key
    raise RuntimeError("Could not make a unique key prefix")  # pragma: no cover


@transaction.atomic
def token_revoke(*, by: Person | None, token: IntegrationToken) -> IntegrationToken:
    """Stop a key working, at once. Revoking a revoked key changes nothing."""
    _check_editor(by, token.unit)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def authenticate_token(header: str | None) -> IntegrationToken | None:
    """The live key named by an `Authorization: Bearer <key>` header, or None. Records when
    the key was last used."""
    if not header:
        return None
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return None
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != SCHEME:
        return None
    prefix = parts[1]
    token = (
        IntegrationToken.objects.select_related("unit")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    # Compared in constant time, so response times say nothing about the stored hash.
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token
