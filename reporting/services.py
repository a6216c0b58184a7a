"""Every write of the reporting app: the monthly data sets and their submission."""

from __future__ import annotations

import logging
import tempfile
from datetime import date

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from pathway.calendar import add_months, nth_working_day_of_month
from pathway.errors import DomainError
from pathway.models import Commissioner, DeadlineKind
from pathway.rules import rule
from pathway.services import deadline_create, deadline_meet

from . import kpis
from .models import KpiSnapshot, KpiSnapshotCount, MonthlyDataSet
from .selectors import mds_csv

logger = logging.getLogger(__name__)


def mds_due_on(month: date) -> date:
    """The configured working day of the month after ``month``."""
    following = add_months(month, 1)
    return nth_working_day_of_month(following.year, following.month, rule("mds_submission_working_day"))


def mds_subject(commissioner: Commissioner, month: date) -> str:
    return f"mds:{commissioner.code}:{month:%Y-%m}"


@transaction.atomic
def mds_generate(*, commissioner: Commissioner, month: date) -> MonthlyDataSet:
    """Generate (or regenerate, until submitted) one commissioner's data set for a month.

    The file is written to a temporary file row by row and then stored, so memory stays flat.
    The submission deadline is created once per data set.
    """
    month = month.replace(day=1)
    data_set, _ = MonthlyDataSet.objects.select_for_update().get_or_create(
        commissioner=commissioner, month=month, defaults={"due_on": mds_due_on(month)}
    )
    if data_set.submitted_on:
        raise DomainError("This data set has been submitted; it cannot be generated again.", code="mds_submitted")
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as handle:
        data_set.row_count = mds_csv(handle, commissioner, month)
        handle.seek(0)
        if data_set.file:
            data_set.file.delete(save=False)
        data_set.file.save(f"mds-{commissioner.code}-{month:%Y-%m}.csv", File(handle), save=False)
    data_set.generated_at = timezone.now()
    data_set.pseudonym_key_version = settings.PSEUDONYM_KEY_VERSION
    data_set.save(update_fields=["row_count", "file", "generated_at", "pseudonym_key_version"])
    deadline_create(
        kind=DeadlineKind.MDS_SUBMISSION,
        episode=None,
        subject=mds_subject(commissioner, month),
        started_on=month.replace(day=1),
        due_on=data_set.due_on,
    )
    logger.info("monthly data set %s generated with %d rows", data_set.pk, data_set.row_count)
    return data_set


@transaction.atomic
def mds_submit(*, data_set: MonthlyDataSet, on: date, actor=None) -> MonthlyDataSet:
    """Record the submission to the commissioner; meets the submission deadline."""
    data_set = MonthlyDataSet.objects.select_for_update().select_related("commissioner").get(pk=data_set.pk)
    if not data_set.generated_at:
        raise DomainError("Generate the data set before submitting it.", code="mds_not_generated")
    if data_set.submitted_on:
        raise DomainError("This data set has already been submitted.", code="mds_submitted")
    data_set.submitted_on = on
    data_set.save(update_fields=["submitted_on"])
    deadline_meet(
        kind=DeadlineKind.MDS_SUBMISSION,
        episode=None,
        subject=mds_subject(data_set.commissioner, data_set.month),
        on=on,
    )
    logger.info("monthly data set %s submitted on %s by user %s", data_set.pk, on, getattr(actor, "pk", None))
    return data_set


def mds_generate_due(*, today: date) -> list[int]:
    """After a month ends, generate last month's data set for every commissioner that lacks one."""
    month = add_months(today.replace(day=1), -1)
    done = []
    for commissioner in Commissioner.objects.exclude(data_sets__month=month, data_sets__generated_at__isnull=False):
        done.append(mds_generate(commissioner=commissioner, month=month).pk)
    return done


@transaction.atomic
def kpi_snapshot_refresh(*, month: date, today: date) -> KpiSnapshot:
    """(Re)compute a month's KPI snapshot: every KPI's counts per practice and tier.

    Only for a month that has ended; running it again replaces the counts, so a correction
    entered late reaches the dashboard at the next refresh.
    """
    month = month.replace(day=1)
    if kpis.month_last_day(month) >= today:
        raise DomainError("A month's KPIs are stored once the month has ended.", code="month_not_ended")
    snapshot, _ = KpiSnapshot.objects.select_for_update().get_or_create(
        month=month, defaults={"computed_at": timezone.now()}
    )
    snapshot.counts.all().delete()
    KpiSnapshotCount.objects.bulk_create(
        KpiSnapshotCount(
            snapshot=snapshot,
            code=kpi.code,
            practice_id=practice_id,
            tier=tier,
            numerator=numerator,
            denominator=denominator,
        )
        for kpi in kpis.KPIS
        for practice_id, tier, numerator, denominator in kpi.counts_by_practice_and_tier(month)
        if numerator or denominator
    )
    snapshot.computed_at = timezone.now()
    snapshot.save(update_fields=["computed_at"])
    return snapshot


def kpi_snapshots_refresh_recent(*, today: date, months: int = 13) -> list[date]:
    """Nightly: refresh the snapshots of the ``months`` ended months the dashboard's trend shows."""
    last = add_months(today.replace(day=1), -1)
    chosen = kpis.months_back(last, months)
    for month in chosen:
        kpi_snapshot_refresh(month=month, today=today)
    logger.info("KPI snapshots refreshed for %s to %s", chosen[0], chosen[-1])
    return chosen
