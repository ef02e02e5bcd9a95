"""`qms demo-data`: build the synthetic demo health board, idempotently."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from qms.demo import (
    capability,
    codesign,
    culture,
    improvement,
    issues,
    learning,
    measures,
    organisation,
    planning,
)
from qms.issues.models import Issue


class Command(BaseCommand):
    help = "Create the demo organisation (deterministic; running it again adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, seed: int, **options):
        rng = random.Random(seed)
        with transaction.atomic():
            counts = organisation.build(rng)
            quality = measures.build(rng)
            issue_count = issues.build()
            projects = improvement.build()
            plan = planning.build(rng)
            learned = learning.build()
            cultured = culture.build()
            codesigned = codesign.build()
            capable = capability.build()
            # Planning raises the division's issues of the past year: count them all.
            issue_count = Issue.objects.count()
        self.stdout.write(
            f"Demo organisation ready: {counts['units']} units, {counts['people']} people, "
            f"{counts['memberships']} memberships."
        )
        self.stdout.write(measures.summary_line(quality))
        self.stdout.write(f"{issue_count} issues, with their actions.")
        self.stdout.write(improvement.summary_line(projects))
        self.stdout.write(planning.summary_line(plan))
        self.stdout.write(learning.summary_line(learned))
        self.stdout.write(culture.summary_line(cultured))
        self.stdout.write(codesign.summary_line(codesigned))
        self.stdout.write(capability.summary_line(capable))
        self.stdout.write(f"Demo logins (password {organisation.DEMO_PASSWORD}):")
        for login in organisation.DEMO_LOGINS:
            unit = next(u for u in organisation.UNITS if u[0] == login.unit_code)
            self.stdout.write(f"  {login.username:<8} {login.role.label}, {unit[1]}")
