"""The demo data of the reporting app."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting.models import MonthlyDataSet

pytestmark = pytest.mark.django_db


def test_seed_demo_generates_past_data_sets():
    call_command("seed_demo", patients=30, stdout=io.StringIO())
    sets = MonthlyDataSet.objects.all()
    assert sets.count() == 12  # two commissioners, six months
    assert all(s.generated_at and s.file for s in sets)
    assert sets.filter(submitted_on__isnull=False).exists()
    assert sets.filter(month__lt=timezone.localdate().replace(day=1)).count() == 12
