"""API keys: how another system reads and writes through the API and the FHIR endpoints, as one
unit and the units below it allow (see models.ApiKey).

A key reads "qms_<prefix>_<secret>". The prefix finds the key's record; only a SHA-256 hash of
the whole key is stored, and the key is shown once, when it is made.

Why SHA-256 and not the password hasher (argon2): a password hasher is slow on purpose, to make
guessing a person's low-entropy password expensive. A key is 256 random bits, which no amount of
guessing finds, fast hash or not; a slow hash would only cost every API call tens of
milliseconds of CPU and give anyone with a made-up key a cheap way to load the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.people import access, services
from qms.people.models import ApiKey, Person, Unit
from qms.people.roles import STAFF_ROLES, Role

SCHEME = "qms"
_PREFIX_BYTES = 4  # 8 hex characters: which record, not a secret
_SECRET_BYTES = 32  # 256 bits
# A key that never expires outlives the integration and the people who knew of it.
DEFAULT_LIFETIME = dt.timedelta(days=365)
LONGEST_LIFETIME = dt.timedelta(days=3 * 365)
# The roles a key may act with: any staff role but running the installation.
KEY_ROLES = frozenset(STAFF_ROLES - {Role.SYSTEM_ADMINISTRATOR})
# A key reads as an analyst (every measure and record of its units, changing nothing) unless
# told otherwise, and writes as a team lead.
DEFAULT_READ_ROLE = Role.ANALYST
DEFAULT_WRITE_ROLE = Role.TEAM_LEAD


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_maker(by: Person | None, unit: Unit, role: str) -> None:
    """Making a key that acts with a role is giving that role: who may grant it in the unit."""
    if by is not None and not access.can_grant(by, unit, role):
        raise PermissionDenied("Your role in this unit does not allow managing its API keys.")


def _checked_fields(name: str, role: str, expires_at: dt.datetime) -> str:
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "Name the system that will use the key, e.g. “Data warehouse”."
    elif len(name) > ApiKey._meta.get_field("name").max_length:
        errors["name"] = "The name is too long: 100 characters at most."
    if role not in KEY_ROLES:
        errors["role"] = "Choose a staff role other than system administrator."
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    elif expires_at > now + LONGEST_LIFETIME:
        errors["expires_at"] = "A key may last at most three years."
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def api_key_create(
    *,
    by: Person | None,
    unit: Unit,
    name: str,
    can_write: bool = False,
    role: str | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for a system in `unit`. Returns the record and the key itself, which is shown
    once and never stored. `by=None` is the command line (`qms create-api-key`)."""
    role = role or (DEFAULT_WRITE_ROLE if can_write else DEFAULT_READ_ROLE)
    expires_at = expires_at or timezone.now() + DEFAULT_LIFETIME
    name = _checked_fields(name, role, expires_at)
    _check_maker(by, unit, role)
    for _ in range(5):  # a clash of 32-bit prefixes is rare; try again rather than fail
        prefix = secrets.token_hex(_PREFIX_BYTES)
        key = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
        try:
            with transaction.atomic():
                principal = services.person_create(
                    by=None, username=f"api-key-{prefix}", display_name=f"{name} (API key)"
                )
                record = ApiKey.objects.create(
                    name=name,
                    unit=unit,
                    role=role,
                    can_write=can_write,
                    expires_at=expires_at,
                    prefix=prefix,
                    key_hash=_hash(key),
                    principal=principal,
                    created_by=by,
                )
        except (IntegrityError, ValidationError):  # the prefix (or its account name) is taken
            continue
        return record, key
    raise RuntimeError("Could not make a unique key prefix")  # pragma: no cover


@transaction.atomic
def api_key_revoke(*, by: Person | None, key: ApiKey) -> ApiKey:
    """Stop a key working, at once. Revoking a revoked key changes nothing."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    _check_maker(by, key.unit, key.role)
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def api_key_authenticate(header: str | None) -> ApiKey | None:
    """The live key (not revoked, not expired) named by an `Authorization: Bearer <key>` header,
    or None. Records when it was last used, and readies its account to act (`acting_person`)."""
    if not header:
        return None
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return None
    parts = key.split("_")
    # The prefix is hex digits, looked up as text: anything else (a NUL, which PostgreSQL cannot
    # compare) finds no key without asking the database.
    if len(parts) < 3 or parts[0] != SCHEME or not _is_prefix(parts[1]):
        return None
    now = timezone.now()
    record = (
        ApiKey.objects.select_related("unit", "principal")
        .filter(prefix=parts[1], revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    # Compared in constant time, so response times say nothing about the stored hash.
    if record is None or not hmac.compare_digest(record.key_hash, _hash(key)):
        return None
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(seconds=60):
        # At most once a minute: a busy integration should not write a row per call.
        ApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    access.scope_to_key(record.principal, record.unit, record.role)
    return record


def _is_prefix(text: str) -> bool:
    return len(text) == 2 * _PREFIX_BYTES and all(c in "0123456789abcdef" for c in text)


def acting_person(key: ApiKey) -> Person:
    """The account a key acts as, holding the key's role in its unit alone."""
    access.scope_to_key(key.principal, key.unit, key.role)
    return key.principal
