"""The benchmark command and the demo data of the reporting app."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from pathway.models import Episode
from reporting.models import MonthlyDataSet

pytestmark = pytest.mark.django_db


def test_benchmark_reports_times_each_report_and_rolls_back():
    out = io.StringIO()
    call_command("benchmark_reports", episodes=40, month="2026-10", stdout=out)
    text = out.getvalue()
    for label in ("KPIs", "PTL first page", "MDS export"):
        assert label in text
    assert "rows/s" in text and "peak" in text
    assert Episode.objects.count() == 0


def test_seed_demo_generates_past_data_sets():
    call_command("seed_demo", patients=30, stdout=io.StringIO())
    sets = MonthlyDataSet.objects.all()
    assert sets.count() == 12  # two commissioners, six months
    assert all(s.generated_at and s.file for s in sets)
    assert sets.filter(submitted_on__isnull=False).exists()
    assert sets.filter(month__lt=timezone.localdate().replace(day=1)).count() == 12
