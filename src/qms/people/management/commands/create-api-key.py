"""`qms create-api-key --unit UNIT_ID --name NAME [--write]`: a key for another system, made on
the server by whoever runs it (the page, a unit's "API keys", is for leads). The key is printed
once, alone on the last line, so a script can take it with `tail -n 1`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qms.people import keys
from qms.people.models import Unit


class Command(BaseCommand):
    help = "Make an API key for one unit (and the units below it); print it once."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The unit's id (or its code).")
        parser.add_argument("--name", required=True, help="The system that will use the key.")
        parser.add_argument(
            "--write", action="store_true", help="May write as well as read (default: read)."
        )
        parser.add_argument(
            "--role",
            choices=sorted(keys.KEY_ROLES),
            help="The role the key acts with in the unit (default: analyst to read, team lead "
            "to write).",
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=keys.DEFAULT_LIFETIME.days,
            help=f"Days until the key stops working (default {keys.DEFAULT_LIFETIME.days}).",
        )

    def handle(self, *args, unit, name, write, role, expires_in_days, **options):
        # ASCII digits only: "²" passes isdigit() but not int(), and "١٢" is not an id anyone typed.
        is_id = unit.isascii() and unit.isdigit()
        found = Unit.objects.filter(pk=int(unit)) if is_id else Unit.objects.none()
        found = found or Unit.objects.filter(code=unit)
        if not found:
            raise CommandError(f"No unit with the id or code {unit!r}.")
        try:
            expires_at = timezone.now() + dt.timedelta(days=expires_in_days)
        except OverflowError:  # beyond the year 9999: far past the longest lifetime
            raise CommandError("expires_at: A key may last at most three years.") from None
        try:
            record, key = keys.api_key_create(
                by=None,
                unit=found[0],
                name=name,
                can_write=write,
                role=role,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
            ) from None
        self.stdout.write(
            f"Made the key “{record.name}” for {record.unit} ({record.scope}, acting as "
            f"{record.get_role_display().lower()}), expiring {record.expires_at:%Y-%m-%d}. "
            "It is shown once; keep it in the other system's secrets:"
        )
        self.stdout.write(key)
