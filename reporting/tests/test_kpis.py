"""KPI numbers against hand-computed values on a small data set built through the services."""

from datetime import date

import pytest

from pathway.tests import factories as f
from reporting.kpis import KPI_BY_CODE, Scope, compute_kpis, parse_month
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)


EXPECTED = {
    "rtt_18_weeks": (7, 8, 0.875, 0.92),
    "new_to_review_ratio": (5, 2, 2.5, 2.16),
    "care_plan_written": (3, 5, 0.6, 0.95),
    "prom_improvement": (3, 4, 0.75, 0.5),
    "positive_experience": (4, 5, 0.8, 0.9),
    "discharge_letter_on_time": (3, 5, 0.6, 1.0),
    "prescribing_advice_on_time": (0, 0, None, 1.0),
    "triage_on_time": (2, 3, 0.6667, 0.95),
    "over_9_months": (1, 3, 3, None),
}


def test_kpis_match_hand_computed_values_for_october(data):
    results = compute_kpis(Scope(commissioner=data["a"].commissioner), OCT)
    got = {r["code"]: (r["numerator"], r["denominator"], r["value"], r["target"]) for r in results}
    # o4 was discharged in October too: it joins the discharges of the month (no plan, no letter)
    expected = dict(EXPECTED)
    expected["care_plan_written"] = (3, 6, 0.5, 0.95)
    expected["discharge_letter_on_time"] = (3, 6, 0.5, 1.0)
    assert got == expected
    assert [r["code"] for r in results] == list(EXPECTED)


def test_kpis_filtered_by_practice_and_tier(data):
    scope = Scope(commissioner=data["a"].commissioner, practice=data["a2"])
    got = {r["code"]: (r["numerator"], r["denominator"]) for r in compute_kpis(scope, OCT)}
    # a2 holds e3 and t3 (open, within), d3, t3's triage and o5
    assert got["rtt_18_weeks"] == (2, 2)
    assert got["new_to_review_ratio"] == (3, 1)
    assert got["care_plan_written"] == (1, 1)
    assert got["triage_on_time"] == (1, 1)
    assert got["over_9_months"] == (0, 1)
    tier3 = Scope(commissioner=data["a"].commissioner, tier=3)
    assert KPI_BY_CODE["over_9_months"].result(tier3, OCT)["value"] == 3


def test_rtt_snapshot_counts_126_days_within_and_127_not(db):
    practice = f.PracticeFactory()
    scope = Scope(commissioner=practice.commissioner)
    rf.episode(practice=practice, received_on=date(2026, 6, 27))
    kpi = KPI_BY_CODE["rtt_18_weeks"]
    assert kpi.counts(scope, OCT) == (1, 1)
    rf.episode(practice=practice, received_on=date(2026, 6, 26))
    assert kpi.counts(scope, OCT) == (1, 2)


def test_rtt_clock_stopped_after_month_end_counts_as_incomplete(db):
    practice = f.PracticeFactory()
    scope = Scope(commissioner=practice.commissioner)
    e = rf.episode(practice=practice, received_on=date(2026, 6, 1))
    rf.stop_clock(e, on=date(2026, 11, 1))
    assert KPI_BY_CODE["rtt_18_weeks"].counts(scope, OCT) == (0, 1)
    assert KPI_BY_CODE["rtt_18_weeks"].counts(scope, date(2026, 11, 1)) == (0, 0)


def test_triage_on_time_counts_each_referral_s_first_decision_only(db):
    """The first decision by date, then by id on the same day; a later decision in the month is not
    counted again, and a first decision of September keeps October's out."""
    practice = f.PracticeFactory()
    kpi = KPI_BY_CODE["triage_on_time"]
    info_then_accept = rf.episode(practice=practice, received_on=date(2026, 10, 1))  # due 5 Oct
    rf.triage(info_then_accept, outcome="request_info", decided_on=date(2026, 10, 2))
    rf.triage(info_then_accept, outcome="accept", decided_on=date(2026, 10, 20), tier=2)
    same_day = rf.episode(practice=practice, received_on=date(2026, 10, 12))  # due 14 Oct
    first = rf.triage(same_day, outcome="request_info", decided_on=date(2026, 10, 19))
    rf.triage(same_day, outcome="reject", decided_on=date(2026, 10, 19))
    september = rf.episode(practice=practice, received_on=date(2026, 9, 21))
    rf.triage(september, outcome="request_info", decided_on=date(2026, 9, 22))
    rf.triage(september, outcome="accept", decided_on=date(2026, 10, 1), tier=1)
    assert kpi.counts(Scope(), OCT) == (1, 2)
    assert sorted(kpi.rows(Scope(), OCT, date(2026, 10, 31)).values_list("pk", flat=True)) == sorted(
        [info_then_accept.triage_decisions.order_by("decided_on").first().pk, first.pk]
    )
    assert kpi.counts(Scope(), date(2026, 9, 1)) == (1, 1)


def test_value_is_null_when_denominator_is_zero(db):
    practice = f.PracticeFactory()
    results = compute_kpis(Scope(commissioner=practice.commissioner), OCT)
    for row in results:
        assert row["denominator"] == 0
        assert row["value"] == (0 if row["code"] == "over_9_months" else None)


def test_kpi_computation_is_a_fixed_number_of_queries(data, django_assert_max_num_queries):
    scope = Scope(commissioner=data["a"].commissioner)
    # Without a stored snapshot: the snapshot lookup, then one aggregate per KPI (9 KPIs).
    with django_assert_max_num_queries(10):
        compute_kpis(scope, OCT)
    for _ in range(20):
        rf.episode(practice=data["a"], received_on=date(2026, 9, 1))
    with django_assert_max_num_queries(10):
        compute_kpis(scope, OCT)


def test_drill_down_lists_the_episodes_behind_a_number(data):
    scope = Scope(commissioner=data["a"].commissioner)
    kpi = KPI_BY_CODE["care_plan_written"]
    d1, d2, d3, d4, d5 = data["d"]
    assert set(kpi.episode_ids(scope, OCT, part="numerator").values_list("pk", flat=True)) == {d1.pk, d3.pk, d4.pk}
    denominator = set(kpi.episode_ids(scope, OCT).values_list("pk", flat=True))
    assert denominator == {d.pk for d in data["d"]} | {data["o"]["o4"].pk}


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-10", "October", "2026-00", ""])
def test_invalid_month_is_rejected(value):
    from pathway.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        parse_month(value)
    assert "month" in exc.value.errors
