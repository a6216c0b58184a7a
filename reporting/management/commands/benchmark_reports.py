"""Time the reports on N synthetic episodes: KPIs, the PTL page and the data set export.

Rows are bulk-created into the configured database inside a transaction that is rolled back at
the end (``--keep`` commits them), under a commissioner of their own (code ``ZBENCH``).
"""

from __future__ import annotations

import csv
import random
import time
import tracemalloc
from datetime import date, timedelta

import nhs_number
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction

from careplans.models import Appointment, CarePlan
from outcomes.models import ExperienceSurvey, PromResponse
from pathway import rtt
from pathway.calendar import add_months, add_working_days
from pathway.models import Commissioner, Episode, EpisodeState, Letter, LetterKind, Patient, Practice, RttPeriod
from pathway.services import today_london
from referrals.models import Referral
from reporting.kpis import Scope, compute_kpis, month_last_day, months_back, parse_month
from reporting.selectors import kpi_trend, mds_rows, ptl, ptl_row, trend_cache_key
from triage.models import TriageDecision


class _Sink:
    """Counts what a csv writer would write, holding nothing."""

    def __init__(self):
        self.bytes = 0

    def write(self, value):
        self.bytes += len(value)


def _nhs(i: int) -> str:
    base = 990_000_000 + i * 3
    while True:
        check = nhs_number.calculate_checksum(f"{base:09d}")
        if check is not None and check < 10:
            return f"{base:09d}{check}"
        base += 1


class Command(BaseCommand):
    help = "Benchmark the KPI computation, the PTL page query and the monthly data set export."

    def add_arguments(self, parser):
        parser.add_argument("--episodes", type=int, default=10_000)
        parser.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
        parser.add_argument("--keep", action="store_true", help="commit the synthetic rows")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, episodes, month, keep, batch, **options):
        today = today_london()
        report_month = parse_month(month) if month else add_months(today.replace(day=1), -1)
        with transaction.atomic():
            started = time.perf_counter()
            commissioner = self._generate(episodes, report_month, batch)
            self.stdout.write(f"generated {episodes} episodes in {time.perf_counter() - started:.1f}s")
            scope = Scope(commissioner=commissioner)

            def measure(label, fn, rows):
                reset_queries()
                tracemalloc.start()
                t0 = time.perf_counter()
                n = fn()
                elapsed = time.perf_counter() - t0
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                rate = (rows(n) / elapsed) if elapsed else 0
                self.stdout.write(
                    f"{label:<22} {elapsed * 1000:9.1f} ms  {rate:12.0f} rows/s  peak {peak / 1024 / 1024:7.2f} MiB"
                )

            measure("KPIs (8, one month)", lambda: compute_kpis(scope, report_month), lambda _: episodes)
            cache.delete_many([trend_cache_key(scope, m) for m in months_back(report_month, 12)])
            measure("KPI trend (12 months)", lambda: kpi_trend(scope, report_month), lambda _: episodes)
            measure("KPI trend, again", lambda: kpi_trend(scope, report_month), lambda _: episodes)
            measure(
                "PTL first page (50)",
                lambda: [ptl_row(p, today) for p in ptl(scope, today=today)[:50]] + [ptl(scope, today=today).count()],
                lambda n: len(n) - 1,
            )

            def export():
                writer = csv.writer(_Sink())
                count = 0
                for row in mds_rows(commissioner, report_month):
                    writer.writerow(row)
                    count += 1
                return count - 1

            measure("MDS export (CSV)", export, lambda n: n)
            if not keep:
                transaction.set_rollback(True)
                self.stdout.write("rolled back the synthetic rows (use --keep to commit them)")
        self.stdout.write(f"database: {connection.vendor}")

    def _generate(self, n: int, month: date, batch: int) -> Commissioner:
        rng = random.Random(8)
        commissioner, _ = Commissioner.objects.get_or_create(code="ZBENCH", defaults={"name": "Benchmark ICB"})
        practices = [
            Practice.objects.get_or_create(
                ods_code=f"Z{9000 + i}", defaults={"name": f"Benchmark practice {i}", "commissioner": commissioner}
            )[0]
            for i in range(10)
        ]
        offset = Patient.objects.count() + 1
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    nhs_number=_nhs(offset + i),
                    given_name="Bench",
                    family_name=f"Mark{i}",
                    date_of_birth=date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                    postcode=f"DL{1 + i % 3} {i % 9}AB",
                    practice=practices[i % 10],
                )
                for i in range(n)
            ],
            batch_size=batch,
        )
        month_end = month_last_day(month)
        states = [EpisodeState.TRIAGE, EpisodeState.ACCEPTED, EpisodeState.TREATMENT, EpisodeState.DISCHARGED]
        episodes = []
        for i, patient in enumerate(patients):
            received = month_end - timedelta(days=rng.randint(0, 500))
            state = states[i % 4]
            admitted = received + timedelta(days=5) if state != EpisodeState.TRIAGE else None
            discharged = month.replace(day=1 + i % 28) if state == EpisodeState.DISCHARGED else None
            if discharged and admitted and discharged < admitted:
                discharged = admitted
            episodes.append(
                Episode(
                    patient=patient,
                    practice=patient.practice,
                    state=state,
                    tier=None if admitted is None else 1 + i % 3,
                    received_on=received,
                    admitted_on=admitted,
                    discharged_on=discharged,
                    discharge_reason="completed" if discharged else "",
                    ome_first_attendance_mg=rng.choice([None, 40, 90, 120]),
                    ome_discharge_mg=rng.choice([None, 20, 60, 120]) if discharged else None,
                )
            )
        episodes = Episode.objects.bulk_create(episodes, batch_size=batch)
        periods, referrals, appointments, plans, proms, surveys, letters = [], [], [], [], [], [], []
        for i, e in enumerate(episodes):
            stop = e.discharged_on or (e.admitted_on + timedelta(days=30) if e.admitted_on and i % 3 == 0 else None)
            periods.append(
                RttPeriod(
                    episode=e,
                    clock_start=e.received_on,
                    clock_stop=stop,
                    status_code=rtt.STATUS_FIRST_DEFINITIVE_TREATMENT if stop else rtt.STATUS_FIRST_ACTIVITY,
                )
            )
            referrals.append(
                Referral(
                    episode=e,
                    patient_id=e.patient_id,
                    practice_id=e.practice_id,
                    received_on=e.received_on,
                    pain_site="back",
                    duration_months=6,
                    triage_due_on=add_working_days(e.received_on, 2),
                )
            )
            for k in range(i % 4):
                appointments.append(
                    Appointment(
                        episode=e,
                        kind="new" if k == 0 else "review",
                        date=month + timedelta(days=(i + k) % 28),
                        outcome="attended" if (i + k) % 5 else "dna",
                    )
                )
            if e.admitted_on:
                plans.append(CarePlan(episode=e, version=1, shared_with_patient=i % 5 != 0))
            if e.discharged_on:
                for timepoint, total in (("entry", 15 + i % 20), ("discharge", 20 + i % 25)):
                    proms.append(
                        PromResponse(
                            episode=e,
                            instrument="PSEQ",
                            timepoint=timepoint,
                            instrument_version="1",
                            answers={},
                            scores={"total": total},
                            completed_on=e.received_on,
                        )
                    )
                surveys.append(ExperienceSurvey(episode=e, positive=i % 7 != 0, answered_on=e.discharged_on))
                letters.append(
                    Letter(
                        kind=LetterKind.DISCHARGE,
                        episode=e,
                        practice_id=e.practice_id,
                        state="sent",
                        due_on=add_working_days(e.discharged_on, 3),
                    )
                )
        RttPeriod.objects.bulk_create(periods, batch_size=batch)
        referrals = Referral.objects.bulk_create(referrals, batch_size=batch)
        TriageDecision.objects.bulk_create(
            [
                TriageDecision(
                    episode_id=r.episode_id,
                    referral=r,
                    outcome="accept",
                    decided_on=r.received_on + timedelta(days=i % 5),
                )
                for i, r in enumerate(referrals)
            ],
            batch_size=batch,
        )
        for model, rows in (
            (Appointment, appointments),
            (CarePlan, plans),
            (PromResponse, proms),
            (ExperienceSurvey, surveys),
            (Letter, letters),
        ):
            model.objects.bulk_create(rows, batch_size=batch)
        return commissioner
