from datetime import date

import pytest
import time_machine

from pathway import services
from pathway.models import Deadline, PathwayEvent
from pathway.tasks import sweep_deadlines
from pathway.tests import factories as f


@pytest.fixture
def episode(db):
    return f.open_episode(received_on=date(2026, 12, 23))


def make_deadline(episode, due_on, kind="triage", subject=""):
    return services.deadline_create(
        kind=kind, episode=episode, started_on=date(2026, 12, 23), due_on=due_on, subject=subject
    )


def test_sweep_breaches_a_due_deadline_once(episode):
    deadline = make_deadline(episode, date(2026, 12, 29))
    assert services.deadline_sweep(today=date(2026, 12, 30)) == 1
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2026, 12, 30)
    events = PathwayEvent.objects.filter(episode=episode, kind="deadline")
    assert events.count() == 1
    assert services.deadline_sweep(today=date(2026, 12, 30)) == 0
    assert services.deadline_sweep(today=date(2027, 1, 5)) == 0
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2026, 12, 30)
    assert events.count() == 1


def test_sweep_leaves_deadlines_not_yet_due(episode):
    on_the_day = make_deadline(episode, date(2026, 12, 29))
    later = make_deadline(episode, date(2027, 1, 4), kind="mdt_review")
    assert services.deadline_sweep(today=date(2026, 12, 29)) == 0
    for d in (on_the_day, later):
        d.refresh_from_db()
        assert d.breached_on is None


def test_sweep_ignores_met_and_cancelled_deadlines(episode):
    make_deadline(episode, date(2026, 12, 24))
    services.deadline_meet(kind="triage", episode=episode, on=date(2026, 12, 24))
    make_deadline(episode, date(2026, 12, 24), kind="mdt_review")
    services.deadline_cancel(kind="mdt_review", episode=episode, on=date(2026, 12, 24))
    assert services.deadline_sweep(today=date(2027, 2, 1)) == 0
    assert not Deadline.objects.filter(breached_on__isnull=False).exists()


def test_sweep_task_uses_the_london_date(episode):
    deadline = make_deadline(episode, date(2026, 12, 29))
    # In winter London is on UTC, so the day turns at midnight UTC.
    with time_machine.travel("2026-12-29T23:59:00+00:00", tick=False):
        assert sweep_deadlines.delay().get() == 0
    with time_machine.travel("2026-12-30T00:01:00+00:00", tick=False):
        assert sweep_deadlines.delay().get() == 1
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2026, 12, 30)


def test_sweep_respects_british_summer_time(db):
    episode = f.open_episode(received_on=date(2027, 5, 25))
    deadline = make_deadline(episode, date(2027, 6, 1))
    with time_machine.travel("2027-06-01T22:30:00+00:00", tick=False):  # 23:30 on 1 June in London
        assert sweep_deadlines.delay().get() == 0
    with time_machine.travel("2027-06-01T23:30:00+00:00", tick=False):  # 00:30 on 2 June in London
        assert sweep_deadlines.delay().get() == 1
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2027, 6, 2)


def test_late_meeting_keeps_the_breach(episode):
    deadline = make_deadline(episode, date(2026, 12, 29))
    services.deadline_sweep(today=date(2027, 1, 4))
    services.deadline_meet(kind="triage", episode=episode, on=date(2027, 1, 4))
    deadline.refresh_from_db()
    assert (deadline.met_on, deadline.breached_on) == (date(2027, 1, 4), date(2026, 12, 30))


def test_breach_handlers_run_once_per_breach(episode):
    seen = []
    handler = services.on_breach("mdt_review")(lambda d: seen.append(d.pk))
    try:
        deadline = make_deadline(episode, date(2026, 12, 24), kind="mdt_review")
        services.deadline_sweep(today=date(2027, 1, 1))
        services.deadline_sweep(today=date(2027, 1, 2))
        assert seen == [deadline.pk]
    finally:
        services.BREACH_HANDLERS["mdt_review"].remove(handler)


def _due_rtt_deadlines(count: int) -> None:
    for _ in range(count):
        make_deadline(f.open_episode(received_on=date(2026, 12, 1)), date(2026, 12, 2), kind="rtt")


@pytest.mark.parametrize("count", [3, 30])
def test_sweep_takes_the_same_queries_for_three_or_thirty_due_rows(db, count, django_assert_num_queries):
    _due_rtt_deadlines(count)
    # One batch inside its savepoint: claim, update, timeline events.
    with django_assert_num_queries(5):
        assert services.deadline_sweep(today=date(2026, 12, 10)) == count
    assert Deadline.objects.filter(breached_on=date(2026, 12, 3)).count() == count
    assert PathwayEvent.objects.filter(kind="deadline").count() == count


def test_sweep_works_through_more_rows_than_a_batch_in_batches(db):
    _due_rtt_deadlines(7)
    assert services.deadline_sweep(today=date(2026, 12, 10), batch=3) == 7
    assert services.deadline_sweep(today=date(2026, 12, 10), batch=3) == 0
    assert PathwayEvent.objects.filter(kind="deadline").count() == 7


def test_sweep_stops_at_its_limit_and_the_next_sweep_finishes(db):
    _due_rtt_deadlines(5)
    assert services.deadline_sweep(today=date(2026, 12, 10), limit=2, batch=10) == 2
    assert services.deadline_sweep(today=date(2026, 12, 10)) == 3
