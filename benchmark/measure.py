"""The measures of the bench: pages and API as their users request them, reports, sweep, export.

Every measure is a dict: ``p50``/``p95`` in ms (or ``rows_per_s``), ``queries`` (of one run),
``db_p50`` (ms of one run spent waiting on the database: its statements' execution and round trips,
the median over the runs) and, where a hand-written SQL query reads the same rows, ``sql_p50``,
``ratio`` (page p50 / SQL p50) and ``db_ratio`` (the page's own time in the database / SQL p50).
Everything runs inside one transaction that is rolled back, so the audit rows the pages write and the
deadlines the sweep breaches leave no trace.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import second_factor_required
from pathway.calendar import add_months
from pathway.letters.rendering import letter_pdf
from pathway.models import Deadline, Episode, EpisodeState, Letter, LetterKind
from pathway.services import deadline_sweep
from reporting.kpis import Scope, compute_kpis, months_back
from reporting.models import KpiSnapshot
from reporting.selectors import mds_csv, trend_cache_key
from reporting.services import kpi_snapshots_refresh_recent

from . import hand_sql
from .population import COMMISSIONERS

SWEEP_DUE = 1000


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": _ms(statistics.median(ordered)), "p95": _ms(p95), "n": len(ordered)}


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples the process's resident memory every 20 ms while the block runs (Linux only)."""

    def __enter__(self):
        self.peak = self.start = self._read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> float:
        try:
            return _rss_mb()
        except OSError:
            return 0.0

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._read())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._read())


class _DatabaseTime:
    """An execute wrapper adding up the time the statements of a block take, from the call to the
    driver until it answers: the database's work and the round trips, not the ORM's building of the
    SQL before or of the rows after (a server-side cursor's later fetches are not counted)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


class _Sink:
    def write(self, value):
        return len(value)


class Bench:
    def __init__(self, staff, *, today, repeat: int = 20, stdout=None):
        self.staff = staff
        self.today = today
        self.repeat = max(repeat, 2)
        self.stdout = stdout
        self.month = add_months(today.replace(day=1), -1)
        self.results: dict[str, dict] = {}

    def _note(self, name: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"  measuring {name}...")

    def _client(self, username: str) -> Client:
        """Signed in as a person would be: with the second factor given this session where the role needs
        one (the lead and the commissioner), so the pages measured are the pages, not the code prompt."""
        user = self.staff.users[username]
        client = Client()
        client.force_login(user)
        if second_factor_required(user):
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    def _time(self, fn, repeat: int | None = None) -> tuple[dict, int]:
        fn()  # warm-up: connection, caches, templates
        samples, in_db = [], []
        queries = 0
        for _ in range(repeat or self.repeat):
            timer = _DatabaseTime()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
            in_db.append(timer.seconds)
            queries = len(ctx.captured_queries)
        return {**_percentiles(samples), "db_p50": _ms(statistics.median(in_db))}, queries

    def _sql(self, statements: list[tuple[str, list]]) -> float:
        def run():
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        stats, _ = self._time(run, repeat=min(self.repeat, 5))
        return stats["p50"]

    def _record(self, name: str, stats: dict, queries: int, sql: list | None = None, **extra) -> None:
        row = {**stats, "queries": queries, **extra}
        if sql is not None:
            row["sql_p50"] = self._sql(sql)
            row["ratio"] = round(row["p50"] / row["sql_p50"], 1) if row["sql_p50"] else None
            row["db_ratio"] = round(row["db_p50"] / row["sql_p50"], 1) if row["sql_p50"] else None
        self.results[name] = row

    def page(self, name: str, username: str, url: str, sql=None, repeat=None) -> None:
        self._note(name)
        client = self._client(username)

        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise AssertionError(f"{url} answered {response.status_code}")
            if response.streaming:
                b"".join(response.streaming_content)

        stats, queries = self._time(get, repeat)
        self._record(name, stats, queries, sql)

    def run(self) -> dict:
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        with override_settings(ALLOWED_HOSTS=["*"]), transaction.atomic():
            self._run()
            transaction.set_rollback(True)
        return self.results

    def _run(self) -> None:
        commissioner = self.staff.commissioners[0]
        codes = [c for c, _ in COMMISSIONERS]
        bench = Episode.objects.filter(practice__commissioner__code__in=codes)
        episode = (
            bench.filter(state=EpisodeState.TREATMENT, team=self.staff.teams[0]).order_by("-admitted_on", "id").first()
            or bench.order_by("id").first()
        )
        month = f"{self.month:%Y-%m}"

        self.page("triage_queue_page", "bench-spa", "/triage/", hand_sql.triage_queue())
        self.page("triage_queue_api", "bench-spa", "/api/v1/triage/queue/", hand_sql.triage_queue())
        self.page("episode_page", "bench-clinician", f"/care/episodes/{episode.pk}/", hand_sql.episode(episode.pk))
        self.page("patient_page", "bench-clinician", f"/patients/{episode.patient_id}/")

        self._note("kpis_month_live")
        KpiSnapshot.objects.filter(month=self.month).delete()
        stats, queries = self._time(lambda: compute_kpis(Scope(), self.month), repeat=3)
        self._record("kpis_month_live", stats, queries, hand_sql.kpis(self.month))
        self._note("kpi_snapshots_refresh")
        start = time.perf_counter()
        months = kpi_snapshots_refresh_recent(today=self.today)
        self.results["kpi_snapshots_refresh"] = {
            "months": len(months),
            "seconds": round(time.perf_counter() - start, 2),
        }
        for name, scope in (("kpis_month_service", Scope()), ("kpis_month_commissioner", Scope(commissioner))):
            self._note(name)
            stats, queries = self._time(lambda scope=scope: compute_kpis(scope, self.month))
            self._record(name, stats, queries, hand_sql.kpis(self.month, commissioner=scope.commissioner))

        self._dashboard(month)
        self.page("ptl_first_page", "bench-lead", "/reports/ptl/", hand_sql.ptl_first_page(self.today))
        self._ptl_csv()
        self._sweep(0)
        self._sweep(SWEEP_DUE)
        self._export()
        self._letter(bench)

    def _dashboard(self, month: str) -> None:
        self._note("kpi_dashboard")
        client = self._client("bench-lead")
        url = f"/reports/kpis/?month={month}"
        keys = [trend_cache_key(Scope(), m) for m in months_back(self.month, 12)]

        def cold():
            cache.delete_many(keys)
            client.get(url)

        stats, queries = self._time(cold, repeat=3)
        self._record("kpi_dashboard_cold", stats, queries)
        stats, queries = self._time(lambda: client.get(url))
        self._record("kpi_dashboard_warm", stats, queries)

    def _ptl_csv(self) -> None:
        self._note("ptl_csv")
        client = self._client("bench-lead")
        with CaptureQueriesContext(connection) as ctx, PeakRss() as rss:
            start = time.perf_counter()
            response = client.get("/reports/ptl/export.csv")
            rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
            elapsed = time.perf_counter() - start
        self.results["ptl_csv"] = {
            "rows": rows,
            "seconds": round(elapsed, 2),
            "rows_per_s": round(rows / elapsed) if elapsed else None,
            "peak_rss_mb": round(rss.peak),
            "queries": len(ctx.captured_queries),
        }

    def _sweep(self, due: int) -> None:
        name = f"sweep_{due}_due"
        self._note(name)
        with transaction.atomic():
            if due:
                ids = list(
                    Deadline.objects.open()
                    .filter(breached_on__isnull=True, due_on__gte=self.today, episode__isnull=False)
                    .order_by("id")
                    .values_list("id", flat=True)[:due]
                )
                Deadline.objects.filter(id__in=ids).update(due_on=self.today - timedelta(days=1))
                due = len(ids)
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                done = deadline_sweep(today=self.today)
                elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        row = {"due": due, "breached": done, "ms": _ms(elapsed), "queries": len(ctx.captured_queries)}
        if done:
            row["ms_per_row"] = round(elapsed * 1000 / done, 2)
            row["queries_per_row"] = round(len(ctx.captured_queries) / done, 2)
        self.results[name] = row

    def _export(self) -> None:
        self._note("monthly_data_set")
        with CaptureQueriesContext(connection) as ctx, PeakRss() as rss:
            start = time.perf_counter()
            # As mds_generate writes the file (to a temporary file there; nowhere here).
            rows = mds_csv(_Sink(), None, self.month)
            elapsed = time.perf_counter() - start
        self.results["monthly_data_set"] = {
            "rows": rows,
            "seconds": round(elapsed, 2),
            "rows_per_s": round(rows / elapsed) if elapsed else None,
            "peak_rss_mb": round(rss.peak),
            "rss_growth_mb": round(rss.peak - rss.start),
            "queries": len(ctx.captured_queries),
        }

    def _letter(self, bench) -> None:
        self._note("letter_pdf")
        letter = (
            Letter.objects.filter(kind=LetterKind.DISCHARGE, episode__in=bench.values("pk"))
            .select_related("episode")
            .order_by("-id")
            .first()
        )
        if letter is None:
            return
        # As many renders as a page has requests: of 10, the 95th percentile is the slowest render alone.
        stats, queries = self._time(lambda: letter_pdf(letter))
        self._record("letter_pdf", stats, queries)


def format_table(results: dict) -> str:
    lines = [
        f"{'measure':<26} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8} {'in DB':>7} {'SQL p50':>9} {'ratio':>6}"
        f" {'DB/SQL':>6}  other"
    ]
    shown = {"p50", "p95", "queries", "db_p50", "sql_p50", "ratio", "db_ratio", "n"}
    for name, row in results.items():
        other = ", ".join(f"{k}={v}" for k, v in row.items() if k not in shown)
        lines.append(
            f"{name:<26} {row.get('p50', ''):>9} {row.get('p95', ''):>9} {row.get('queries', ''):>8} "
            f"{row.get('db_p50', ''):>7} {row.get('sql_p50', ''):>9} {row.get('ratio', ''):>6}"
            f" {row.get('db_ratio', ''):>6}  {other}"
        )
    return "\n".join(lines)
