"""``python manage.py bench --referrals N``: generate N referrals over three years, then measure.

Prints a table and, as its last line, the same figures as JSON (p50/p95 in ms and query counts,
with a hand-written SQL query's time beside the pages that have one). ``--reuse`` measures the
bench rows already in the database (generate a million once, then tune); ``--generate-only``
stops after generating.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmark.generate import Generator, bench_episode_count, print_progress
from benchmark.measure import Bench, format_table
from benchmark.population import ensure_staff
from pathway.runtime import settle_worker_heap
from pathway.services import today_london


class Command(BaseCommand):
    help = "Generate N realistic referrals and time the pages, reports, sweep and export that read them."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=10_000, help="how many referrals to generate")
        parser.add_argument("--reuse", action="store_true", help="measure the bench data already generated")
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (after one warm-up)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, referrals, reuse, generate_only, repeat, quiet, **options):
        if referrals < 100 and not reuse:
            raise CommandError("--referrals must be at least 100.")
        today = today_london()
        if reuse:
            staff = ensure_staff()
            referrals = bench_episode_count()
            if not referrals:
                raise CommandError("There is no bench data to reuse: run without --reuse first.")
        else:
            started = time.perf_counter()
            progress = None if quiet else (lambda done, total: print_progress(done, total, out=self.stderr))
            staff = Generator(referrals, today=today, progress=progress).run()
            if connection.vendor == "postgresql":
                # As autovacuum would leave a table in service: statistics and the visibility map
                # (index-only scans) after a bulk load.
                with connection.cursor() as cursor:
                    # VACUUM cannot run inside a transaction (a test's); ANALYZE can.
                    cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            self.stdout.write(f"generated {referrals:,} referrals in {time.perf_counter() - started:.1f} s")
        if generate_only:
            return
        # As gunicorn and Celery workers do once the app is loaded (gunicorn.conf.py, pathway/celery.py).
        settle_worker_heap()
        results = Bench(staff, today=today, repeat=repeat, stdout=self.stdout).run()
        self.stdout.write(format_table(results))
        summary = {"referrals": referrals, "database": connection.vendor, "today": today.isoformat(), **results}
        self.stdout.write(json.dumps(summary, separators=(",", ":")))
