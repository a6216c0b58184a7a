"""Pure rules: OME factors and the nine-month limit on real dates."""

from datetime import date
from decimal import Decimal

import pytest

from careplans import ome
from careplans.limits import episode_limit_status
from pathway.errors import InvalidInput


@pytest.mark.parametrize(
    ("drug", "route", "kwargs", "expected"),
    [
        ("codeine", "oral", {"dose_mg": 60, "doses_per_day": 4}, "24.00"),
        ("dihydrocodeine", "oral", {"dose_mg": 30, "doses_per_day": 4}, "12.00"),
        ("tramadol", "oral", {"dose_mg": 100, "doses_per_day": 4}, "40.00"),
        ("tapentadol", "oral", {"dose_mg": 100, "doses_per_day": 2}, "80.00"),
        ("oxycodone", "oral", {"dose_mg": 20, "doses_per_day": 2}, "60.00"),
        ("hydromorphone", "oral", {"dose_mg": 1.3, "doses_per_day": 4}, "26.00"),
        ("morphine", "oral", {"dose_mg": 30, "doses_per_day": 2}, "60.00"),
        ("Morphine", " Oral ", {"dose_mg": "10", "doses_per_day": "6"}, "60.00"),
        ("buprenorphine", "transdermal", {"patch_mcg_per_hour": 5}, "12.00"),
        ("buprenorphine", "transdermal", {"patch_mcg_per_hour": 20}, "48.00"),
        ("fentanyl", "transdermal", {"patch_mcg_per_hour": 12}, "30.00"),
        ("fentanyl", "transdermal", {"patch_mcg_per_hour": 25}, "62.50"),
        ("methadone", "oral", {"dose_mg": 10, "doses_per_day": 2, "clinician_ome_mg": 120}, "120.00"),
    ],
)
def test_ome_per_day_from_the_factor_table(drug, route, kwargs, expected):
    result = ome.ome_per_day(drug=drug, route=route, **kwargs)
    assert result.ome_mg_per_day == Decimal(expected)
    assert result.version == ome.FACTOR_TABLE_VERSION
    assert result.clinician_entry is (drug == "methadone")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": "aspirin", "route": "oral", "dose_mg": 1, "doses_per_day": 1}, "drug"),
        ({"drug": "", "route": "oral"}, "drug"),
        ({"drug": "morphine", "route": "rectal", "dose_mg": 1, "doses_per_day": 1}, "route"),
        ({"drug": "morphine", "route": "oral", "dose_mg": -5, "doses_per_day": 1}, "dose_mg"),
        ({"drug": "morphine", "route": "oral", "dose_mg": "ten", "doses_per_day": 1}, "dose_mg"),
        ({"drug": "morphine", "route": "oral", "dose_mg": 1001, "doses_per_day": 1}, "dose_mg"),
        ({"drug": "morphine", "route": "oral", "dose_mg": 10}, "doses_per_day"),
        ({"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 25}, "doses_per_day"),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 0}, "patch_mcg_per_hour"),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 1000}, "patch_mcg_per_hour"),
        ({"drug": "methadone", "route": "oral", "dose_mg": 10, "doses_per_day": 1}, "ome_mg_per_day"),
    ],
)
def test_bad_lines_raise_invalid_input_naming_the_field(kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        ome.ome_per_day(**kwargs)
    assert list(exc.value.errors) == [field]


def test_a_local_table_version_overrides_the_factors():
    table = ome.FactorTable(version="local-2027", factors={"oxycodone": {"oral": 2}})
    result = ome.ome_per_day(drug="oxycodone", route="oral", dose_mg=10, doses_per_day=2, table=table)
    assert (result.ome_mg_per_day, result.version) == (Decimal("40.00"), "local-2027")


@pytest.mark.parametrize(
    ("before", "after", "alert"),
    [(0, 100, True), (99.99, 100, True), (60, 140, True), (100, 120, False), (99, 99.99, False), (120, 80, False)],
)
def test_alert_only_when_the_total_crosses_the_threshold(before, after, alert):
    assert ome.crosses_threshold(Decimal(str(before)), Decimal(str(after)), 100) is alert


def test_total_of_mixed_oral_and_patch_lines():
    lines = [
        ome.ome_per_day(drug="oxycodone", route="oral", dose_mg=10, doses_per_day=2).ome_mg_per_day,
        ome.ome_per_day(drug="fentanyl", route="transdermal", patch_mcg_per_hour=25).ome_mg_per_day,
        ome.ome_per_day(drug="codeine", route="oral", dose_mg=30, doses_per_day=4).ome_mg_per_day,
    ]
    assert ome.total_ome(lines) == Decimal("104.50")


@pytest.mark.parametrize(
    ("admitted", "today", "level", "needs_extension"),
    [
        (date(2026, 5, 31), date(2026, 12, 30), None, False),
        (date(2026, 5, 31), date(2026, 12, 31), 7, False),  # 7 months: 31 Dec 2026
        (date(2026, 5, 31), date(2027, 1, 30), 7, False),
        (date(2026, 5, 31), date(2027, 1, 31), 8, False),  # 8 months: 31 Jan 2027
        (date(2026, 5, 31), date(2027, 2, 27), 8, False),
        (date(2026, 5, 31), date(2027, 2, 28), 9, True),  # 9 months: 28 Feb 2027 (month end clamped)
        (date(2026, 7, 31), date(2027, 2, 28), 7, False),  # 7 months from 31 Jul: 28 Feb 2027
        (date(2026, 3, 29), date(2026, 10, 29), 7, False),
        (date(2026, 3, 29), date(2026, 12, 29), 9, True),
        (date(2026, 6, 30), date(2027, 3, 30), 9, True),
    ],
)
def test_seven_eight_and_nine_month_warnings_on_real_dates(admitted, today, level, needs_extension):
    status = episode_limit_status(admitted, today)
    assert status.level == level
    assert status.needs_extension is needs_extension


def test_month_end_warning_dates():
    status = episode_limit_status(date(2026, 5, 31), date(2026, 6, 1))
    assert status.warnings == {7: date(2026, 12, 31), 8: date(2027, 1, 31)}
    assert status.limit_on == date(2027, 2, 28)


def test_an_approved_extension_covers_the_time_past_nine_months():
    status = episode_limit_status(date(2026, 1, 15), date(2026, 11, 23), extended_until=date(2027, 1, 31))
    assert status.level == 9 and not status.needs_extension
    expired = episode_limit_status(date(2026, 1, 15), date(2027, 2, 1), extended_until=date(2027, 1, 31))
    assert expired.needs_extension
