"""Load a realistic demo data set once; running it again changes nothing."""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pathway.demo import DEMO_PASSWORD, DEMO_USERS, DemoContext, seed_base
from pathway.models import Patient

PATHWAY_ORDER = ["referrals", "triage", "careplans", "outcomes", "reporting"]


class Command(BaseCommand):
    help = "Load demo data (organisations, users, a few hundred patients in every state)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, patients, seed, **options):
        if Patient.objects.exists():
            self.stdout.write("Demo data already present: nothing to do.")
            return
        ctx = DemoContext(today=timezone.localdate(), rng=random.Random(seed))
        with transaction.atomic():
            seed_base(ctx, patients=patients)
            for app in PATHWAY_ORDER:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                module.seed(ctx)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded: {len(ctx.patients)} patients, {len(ctx.episodes)} episodes.")
        )
        self.stdout.write(f"Sign in with any of these (password: {DEMO_PASSWORD}):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {role.label}")
