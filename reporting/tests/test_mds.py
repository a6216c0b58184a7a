"""The monthly data set: generated after month end by the task, stored, its submission tracked."""

import csv
from datetime import date

import pytest
import time_machine

from pathway.errors import DomainError
from pathway.models import Deadline, DeadlineKind
from pathway.services import deadline_sweep
from pathway.tests import factories as f
from reporting import services
from reporting.models import MonthlyDataSet
from reporting.selectors import MDS_COLUMNS, data_sets_for, mds_on_time
from reporting.tasks import generate_monthly_data_sets
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db


def test_submission_due_on_the_configured_working_day_of_next_month(settings):
    # December 2026: 1 Dec is a Tuesday; the 10th working day is 14 Dec.
    assert services.mds_due_on(date(2026, 11, 1)) == date(2026, 12, 14)
    # January 2027 after the 1 Jan bank holiday: 10th working day is Friday 15 Jan.
    assert services.mds_due_on(date(2026, 12, 1)) == date(2027, 1, 15)
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "mds_submission_working_day": 1}
    assert services.mds_due_on(date(2026, 12, 1)) == date(2027, 1, 4)


@time_machine.travel("2026-11-02 03:00 +0000", tick=False)
def test_daily_task_generates_last_month_for_each_commissioner_once():
    a = f.PracticeFactory()
    b = f.PracticeFactory()
    rf.episode(practice=a, received_on=date(2026, 10, 5))
    rf.episode(practice=a, received_on=date(2026, 9, 5))
    rf.episode(practice=b, received_on=date(2026, 11, 1))  # November: not in October's set
    ids = generate_monthly_data_sets.delay().get()
    assert len(ids) == 2
    mine = MonthlyDataSet.objects.get(commissioner=a.commissioner, month=date(2026, 10, 1))
    assert mine.row_count == 2 and mine.generated_at is not None and mine.due_on == date(2026, 11, 13)
    with mine.file.open("r") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == MDS_COLUMNS and len(rows) == 3
    assert MonthlyDataSet.objects.get(commissioner=b.commissioner).row_count == 0
    deadline = Deadline.objects.get(subject=f"mds:{a.commissioner.code}:2026-10")
    assert deadline.kind == DeadlineKind.MDS_SUBMISSION and deadline.episode is None
    assert deadline.due_on == date(2026, 11, 13)
    assert generate_monthly_data_sets.delay().get() == []
    assert Deadline.objects.filter(kind=DeadlineKind.MDS_SUBMISSION).count() == 2


def test_submission_meets_the_deadline_and_counts_on_time():
    practice = f.PracticeFactory()
    oct_set = services.mds_generate(commissioner=practice.commissioner, month=date(2026, 10, 1))
    sep_set = services.mds_generate(commissioner=practice.commissioner, month=date(2026, 9, 1))
    services.mds_submit(data_set=oct_set, on=date(2026, 11, 13))
    deadline = Deadline.objects.get(subject=f"mds:{practice.commissioner.code}:2026-10")
    assert deadline.met_on == date(2026, 11, 13)
    with pytest.raises(DomainError):
        services.mds_submit(data_set=oct_set, on=date(2026, 11, 14))
    with pytest.raises(DomainError):
        services.mds_generate(commissioner=practice.commissioner, month=date(2026, 10, 1))
    # September's was due 14 Oct and never submitted: the sweep breaches it; on time is 1 of 2.
    assert deadline_sweep(today=date(2026, 11, 20)) == 1
    assert Deadline.objects.get(subject=f"mds:{practice.commissioner.code}:2026-09").breached_on == date(2026, 10, 15)
    sep_set.refresh_from_db()
    totals = mds_on_time(MonthlyDataSet.objects.all(), date(2026, 11, 20))
    assert (totals["numerator"], totals["denominator"], totals["value"]) == (1, 2, 0.5)


def test_commissioner_sees_only_own_data_sets(commissioner_user, practice):
    other = f.PracticeFactory()
    services.mds_generate(commissioner=practice.commissioner, month=date(2026, 10, 1))
    services.mds_generate(commissioner=other.commissioner, month=date(2026, 10, 1))
    assert [d.commissioner_id for d in data_sets_for(commissioner_user)] == [practice.commissioner_id]


def test_data_set_task_is_scheduled_daily():
    from celery.schedules import crontab

    from pathway.celery import app

    entry = app.conf.beat_schedule["generate-monthly-data-sets"]
    assert entry["task"] == "reporting.tasks.generate_monthly_data_sets"
    assert isinstance(entry["schedule"], crontab)


@pytest.mark.django_db(transaction=True)
def test_two_workers_generating_one_data_set_at_once_leave_one_row_and_one_deadline(on_postgres):
    import threading

    from django.db import connection, transaction

    practice = f.PracticeFactory()
    rf.episode(practice=practice, received_on=date(2026, 10, 5))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def attempt() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                services.mds_generate(commissioner=practice.commissioner, month=date(2026, 10, 1))
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    data_set = MonthlyDataSet.objects.get(commissioner=practice.commissioner)
    assert data_set.row_count == 1
    with data_set.file.open("r") as handle:
        assert len(list(csv.reader(handle))) == 2
    assert Deadline.objects.filter(kind=DeadlineKind.MDS_SUBMISSION).count() == 1
