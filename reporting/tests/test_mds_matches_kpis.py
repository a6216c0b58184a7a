"""The monthly data set and the KPIs share their predicates: a month's data set rows reproduce
every KPI of that month."""

import csv
import io
from datetime import date

import pytest

from careplans.models import Extension
from pathway.rules import rule
from reporting.kpis import KPI_BY_CODE, Scope, month_last_day
from reporting.selectors import MDS_COLUMNS, mds_csv
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)


def _rows(commissioner, month):
    """The data set as the service writes it (COPY on PostgreSQL, Python rows on SQLite), read back."""
    handle = io.StringIO(newline="")
    count = mds_csv(handle, commissioner, month)
    rows = list(csv.reader(io.StringIO(handle.getvalue(), newline="")))
    assert len(rows) == count + 1
    assert rows[0] == MDS_COLUMNS
    return [dict(zip(MDS_COLUMNS, row, strict=True)) for row in rows[1:]]


def _in_month(value: str, month: date) -> bool:
    return bool(value) and month <= date.fromisoformat(value) <= month_last_day(month)


def _number(value: str) -> float | None:
    return float(value) if value else None


def _prom_improved(row) -> bool:
    """DESIGN.md section 8: PSEQ decides when there is a pair; else BPI interference; else EQ-5D."""
    pairs = {
        "pseq": (_number(row["pseq_entry"]), _number(row["pseq_discharge"])),
        "bpi": (_number(row["bpi_interference_entry"]), _number(row["bpi_interference_discharge"])),
        "eq5d": (_number(row["eq5d_index_entry"]), _number(row["eq5d_index_discharge"])),
    }
    for name, (entry, discharge) in pairs.items():
        if entry is None or discharge is None:
            continue
        if name == "pseq":
            return discharge - entry >= rule("pseq_improvement_points") - 1e-9
        if name == "bpi":
            return entry - discharge >= rule("bpi_interference_improvement") - 1e-9
        return discharge - entry >= rule("eq5d_index_improvement") - 1e-9
    return False


def _has_prom_pair(row) -> bool:
    return any(
        row[f"{entry}"] and row[f"{discharge}"]
        for entry, discharge in (
            ("pseq_entry", "pseq_discharge"),
            ("bpi_interference_entry", "bpi_interference_discharge"),
            ("eq5d_index_entry", "eq5d_index_discharge"),
        )
    )


def counts_from_data_set(rows, month: date) -> dict[str, tuple[int, int]]:
    incomplete = [r for r in rows if r["rtt_days_waited_at_month_end"]]
    # A referral withdrawn before acceptance has no admission date: it is in no discharge KPI.
    discharged = [
        r for r in rows if r["state"] == "discharged" and r["admitted_on"] and _in_month(r["discharged_on"], month)
    ]
    with_pairs = [r for r in discharged if _has_prom_pair(r)]
    triaged = [r for r in rows if _in_month(r["triage_decided_on"], month)]
    over = [r for r in rows if r["over_9_months"] == "Y"]
    return {
        "rtt_18_weeks": (
            sum(int(r["rtt_days_waited_at_month_end"]) <= rule("rtt_max_days_within") for r in incomplete),
            len(incomplete),
        ),
        "new_to_review_ratio": (
            sum(int(r["review_attendances"]) for r in rows),
            sum(int(r["new_attendances"]) for r in rows),
        ),
        "care_plan_written": (sum(r["care_plan_shared"] == "Y" for r in discharged), len(discharged)),
        "prom_improvement": (sum(_prom_improved(r) for r in with_pairs), len(with_pairs)),
        "positive_experience": (
            sum(int(r["experience_positive"]) for r in rows),
            sum(int(r["experience_answers"]) for r in rows),
        ),
        "discharge_letter_on_time": (sum(r["discharge_letter_on_time"] == "Y" for r in discharged), len(discharged)),
        "triage_on_time": (sum(r["triage_on_time"] == "Y" for r in triaged), len(triaged)),
        "over_9_months": (sum(r["extension_approved"] == "Y" for r in over), len(over)),
        "prescribing_advice_on_time": (
            sum(int(r["prescribing_advice_on_time"]) for r in rows),
            sum(int(r["prescribing_advice_letters"]) for r in rows),
        ),
    }


@pytest.mark.parametrize("month", [date(2026, 9, 1), OCT, date(2026, 11, 1)])
def test_data_set_rows_reproduce_every_kpi_of_the_same_month(data, month):
    commissioner = data["a"].commissioner
    from_rows = counts_from_data_set(_rows(commissioner, month), month)
    assert set(from_rows) == set(KPI_BY_CODE)  # a new KPI needs its data set columns
    scope = Scope(commissioner=commissioner)
    from_kpis = {code: KPI_BY_CODE[code].counts(scope, month) for code in from_rows}
    assert from_rows == from_kpis


def test_the_october_data_set_reproduces_the_hand_computed_kpis(data):
    got = counts_from_data_set(_rows(data["a"].commissioner, OCT), OCT)
    assert got["rtt_18_weeks"] == (7, 8)
    assert got["new_to_review_ratio"] == (5, 2)
    assert got["care_plan_written"] == (3, 6)
    assert got["prom_improvement"] == (3, 4)
    assert got["positive_experience"] == (4, 5)
    assert got["discharge_letter_on_time"] == (3, 6)
    assert got["triage_on_time"] == (2, 3)
    assert got["over_9_months"] == (1, 3)


def test_the_data_set_carries_follow_up_scores_survey_answers_and_the_extension_state(data):
    rows = {r["episode_reference"]: r for r in _rows(data["a"].commissioner, OCT)}
    d7 = rows[data["d7"].reference]
    assert (d7["pseq_followup"], d7["experience_answers"], d7["experience_positive"]) == ("41", "1", "1")
    d2 = rows[data["d"][1].reference]
    assert (d2["experience_answers"], d2["experience_positive"]) == ("1", "0")
    o = data["o"]
    states = {name: rows[o[name].reference]["extension_state"] for name in ("o1", "o2", "o3", "o5")}
    # o5's extension was agreed in November: at the end of October it was still only requested.
    assert states == {"o1": "agreed", "o2": "requested", "o3": "", "o5": "requested"}
    assert data["withdrawn"].reference in rows


def test_a_declined_extension_reads_declined_from_its_month_and_requested_before(data):
    """Found while making the data set set-based: a request the commissioner declined still read as
    'requested' (the 'waiting' test compared extension ids with episode ids)."""
    lead = data["lead"]
    declined_in_october = rf.accept(rf.episode(practice=data["a"], received_on=date(2025, 12, 1)), on=date(2026, 1, 5))
    declined_in_november = rf.accept(rf.episode(practice=data["a"], received_on=date(2025, 12, 2)), on=date(2026, 1, 6))
    for episode, declined_on in [(declined_in_october, date(2026, 10, 20)), (declined_in_november, date(2026, 11, 4))]:
        made = rf.extension(episode, requested_by=lead, requested_at=rf.london(date(2026, 10, 1)))
        assert made.pk != episode.pk
        Extension.objects.filter(pk=made.pk).update(declined_at=rf.london(declined_on), declined_by=lead)
    october = {r["episode_reference"]: r["extension_state"] for r in _rows(data["a"].commissioner, OCT)}
    november = {r["episode_reference"]: r["extension_state"] for r in _rows(data["a"].commissioner, date(2026, 11, 1))}
    assert october[declined_in_october.reference] == "declined"
    assert october[declined_in_november.reference] == "requested"
    assert november[declined_in_november.reference] == "declined"
