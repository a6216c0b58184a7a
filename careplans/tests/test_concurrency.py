"""Concurrent edits of one episode (PostgreSQL row locks)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from careplans import services
from careplans.models import GroupSession, MedicationLine
from careplans.tests.factories import accepted_episode
from pathway.errors import DomainError, StaleVersion
from pathway.models import Episode, Letter


def _race(worker, args_list):
    barrier = threading.Barrier(len(args_list))
    results: list[str] = []

    def run(*args):
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                worker(*args)
            results.append("ok")
        except (StaleVersion, DomainError) as exc:
            results.append(getattr(exc, "code", "refused"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return sorted(results)


@time_machine.travel("2026-11-23 10:00 +00:00", tick=True)
@pytest.mark.django_db(transaction=True)
def test_two_edits_from_the_same_version_one_wins_one_is_stale(on_postgres):
    episode = accepted_episode()
    version = episode.version

    def add(dose):
        services.medication_add(
            episode=Episode.objects.get(pk=episode.pk),
            drug="morphine",
            route="oral",
            dose_mg=dose,
            doses_per_day=2,
            expected_version=version,
        )

    assert _race(add, [(30,), (25,)]) == ["ok", "stale_version"]
    episode.refresh_from_db()
    assert MedicationLine.objects.count() == 1
    assert episode.ome_total_mg_per_day == MedicationLine.objects.get().ome_mg_per_day
    assert episode.version == version + 1


@time_machine.travel("2026-11-23 10:00 +00:00", tick=True)
@pytest.mark.django_db(transaction=True)
def test_concurrent_lines_keep_the_total_and_alert_once(on_postgres):
    episode = accepted_episode()

    def add(dose):
        services.medication_add(
            episode=Episode.objects.get(pk=episode.pk), drug="morphine", route="oral", dose_mg=dose, doses_per_day=2
        )

    assert _race(add, [(30,), (25,)]) == ["ok", "ok"]
    episode.refresh_from_db()
    assert episode.ome_total_mg_per_day == Decimal("110.00")
    assert Letter.objects.filter(kind="opioid_alert").count() == 1


@time_machine.travel("2026-11-23 10:00 +00:00", tick=True)
@pytest.mark.django_db(transaction=True)
def test_last_group_place_goes_to_one_patient(on_postgres):
    session = GroupSession.objects.create(name="PMP", date=date(2026, 12, 1), capacity=8)
    episodes = [accepted_episode() for _ in range(9)]
    for ep in episodes[:7]:
        services.appointment_book(episode=ep, kind="group", date=session.date, group_session=session)

    def book(ep):
        services.appointment_book(episode=ep, kind="group", date=session.date, group_session=session)

    assert _race(book, [(episodes[7],), (episodes[8],)]) == ["ok", "session_full"]
    assert session.appointments.count() == 8
