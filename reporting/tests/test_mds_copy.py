"""The monthly data set written by PostgreSQL (COPY) is byte for byte the file the Python rows make.

The Python rows (``mds.python_rows``) are the reference: they are what SQLite writes, and what every
other data set test reads. On PostgreSQL the service writes the file with ``mds_copy_csv``; these tests
write both for the same months and scopes and compare them, on the shared October data and on rows
made to reach every formatting edge (ages around birthdays and band limits, a 29 February birthday,
postcodes without a space or in lower case, a letter sent after midnight in British Summer Time,
scores with four decimal places, negative EQ-5D indexes, OME with pence-like decimals, ids past seven
digits).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from outcomes.models import Instrument, Timepoint
from pathway import rtt
from pathway import services as pathway_services
from pathway.models import Episode, EpisodeState, Letter, LetterKind, LetterState, RttPeriod
from pathway.tests import factories as f
from reporting import services
from reporting.selectors import MDS_COLUMNS, mds_csv, mds_csv_chunks
from reporting.selectors.mds import python_rows
from reporting.selectors.mds_copy import mds_copy_csv
from reporting.tests import factories as rf
from triage.models import TriageDecision

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

OCT = date(2026, 10, 1)


def python_file(commissioner, month) -> str:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    for row in python_rows(commissioner, month):
        writer.writerow(row)
    return handle.getvalue()


def copy_file(commissioner, month) -> tuple[str, int]:
    handle = io.StringIO(newline="")
    count = mds_copy_csv(handle, commissioner, month)
    return handle.getvalue(), count


def assert_same(commissioner, month) -> list[dict]:
    expected = python_file(commissioner, month)
    written, count = copy_file(commissioner, month)
    assert written == expected
    rows = list(csv.reader(io.StringIO(written, newline="")))
    assert rows[0] == MDS_COLUMNS and len(rows) == count + 1
    return [dict(zip(MDS_COLUMNS, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def edges():
    practice = f.PracticeFactory(ods_code="E81001")
    ep = rf.episode
    made = {
        # Ages at 31 October 2026: a birthday on the month's last day, one a day later, band limits.
        "turns_30_on_31_oct": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(1996, 10, 31)),
        "still_29": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(1996, 11, 1)),
        "leap_day": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(1948, 2, 29)),
        "aged_17": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(2009, 1, 1)),
        "aged_80": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(1946, 10, 31)),
        "aged_79": ep(practice=practice, received_on=date(2026, 10, 1), date_of_birth=date(1946, 11, 1)),
        # Postcodes: no space, lower case with spaces around, three characters, empty.
        "no_space": ep(practice=practice, received_on=date(2026, 10, 2), postcode="DL11AA"),
        "lower_case": ep(practice=practice, received_on=date(2026, 10, 2), postcode="  ts1 2ab "),
        "short": ep(practice=practice, received_on=date(2026, 10, 2), postcode="DL1"),
        "empty": ep(practice=practice, received_on=date(2026, 10, 2), postcode=""),
    }
    # Triage decided late, a discharge letter sent at 23:30 UTC on 30 Sep (00:30 on 1 Oct in London).
    late = made["no_space"]
    rf.triage(late, outcome="accepted", decided_on=date(2026, 10, 9), tier=2)
    rf.accept(late, on=date(2026, 10, 9), tier=2)
    letter = rf.discharge(late, on=date(2026, 10, 20), ome_first="12.50", ome_discharge="0.05")
    rf.letter_sent(letter, datetime(2026, 10, 22, 23, 30, tzinfo=UTC))
    bst = made["lower_case"]
    rf.triage(bst, outcome="accepted", decided_on=date(2026, 10, 5), tier=3)
    rf.accept(bst, on=date(2026, 10, 5), tier=3)
    bst_letter = rf.discharge(bst, on=date(2026, 10, 22))
    rf.letter_sent(bst_letter, datetime(2026, 10, 25, 23, 30, tzinfo=UTC))  # GMT from 25 Oct: 23:30 in London
    summer = made["short"]
    rf.triage(summer, outcome="accepted", decided_on=date(2026, 10, 2), tier=2)
    rf.accept(summer, on=date(2026, 10, 2))
    summer_letter = rf.discharge(summer, on=date(2026, 10, 21))
    rf.letter_sent(summer_letter, datetime(2026, 10, 23, 23, 30, tzinfo=UTC))  # 24 Oct in London
    # Scores: BPI means to four places, a negative EQ-5D index, whole PSEQ totals, a zero.
    scores = {
        Timepoint.ENTRY: (
            9,
            {
                Instrument.BPI: ("interference", 5.1429),
                Instrument.EQ5D5L: ("index", -0.594),
                Instrument.PSEQ: ("total", 17),
            },
        ),
        Timepoint.DISCHARGE: (
            20,
            {
                Instrument.BPI: ("interference", 0),
                Instrument.EQ5D5L: ("index", 0.0521),
                Instrument.PSEQ: ("total", 41.0),
            },
        ),
    }
    for timepoint, (day, by_instrument) in scores.items():
        for instrument, (key, value) in by_instrument.items():
            rf.prom(late, instrument=instrument, timepoint=timepoint, scores={key: value}, on=date(2026, 10, day))
    rf.survey(late, positive=True, on=date(2026, 10, 30))
    rf.appointment(late, kind="new", on=date(2026, 10, 12))
    rf.appointment(late, kind="review", on=date(2026, 10, 14), outcome="dna")
    rf.care_plan(late, shared=True)
    # Prescribing advice for decisions in October: on time, late; not counted: September's decision,
    # a cancelled letter and the patient's copy.
    for started, due, sent, state in [
        (date(2026, 10, 12), date(2026, 10, 15), datetime(2026, 10, 14, 9, tzinfo=UTC), None),
        (date(2026, 10, 20), date(2026, 10, 23), datetime(2026, 10, 27, 9, tzinfo=UTC), None),
        (date(2026, 9, 29), date(2026, 10, 2), datetime(2026, 10, 1, 9, tzinfo=UTC), None),
        (date(2026, 10, 5), date(2026, 10, 8), None, LetterState.CANCELLED),
    ]:
        advice = pathway_services.letter_create(
            kind=LetterKind.PRESCRIBING_ADVICE, episode=late, started_on=started, due_on=due
        )
        if sent:
            rf.letter_sent(advice, sent)
        if state:
            Letter.objects.filter(pk=advice.pk).update(state=state)
    pathway_services.letter_create(
        kind=LetterKind.PRESCRIBING_ADVICE,
        episode=late,
        started_on=date(2026, 10, 12),
        due_on=date(2026, 10, 15),
        recipient=Letter.Recipient.PATIENT,
    )
    # Closed at triage: at their last clock stop (September: out; October: in), or never (no period: in).
    for name, stopped in [("rejected_in_september", date(2026, 9, 20)), ("rejected_in_october", date(2026, 10, 3))]:
        made[name] = ep(practice=practice, received_on=date(2026, 9, 1))
        pathway_services.episode_transition(episode=made[name], to=EpisodeState.REJECTED, reason="Not for us")
        rf.stop_clock(made[name], on=stopped, status_code=rtt.STATUS_DECISION_NOT_TO_TREAT)
    made["redirected_no_clock"] = ep(practice=practice, received_on=date(2026, 8, 3))
    pathway_services.episode_transition(
        episode=made["redirected_no_clock"], to=EpisodeState.REDIRECTED, reason="Tertiary service"
    )
    RttPeriod.objects.filter(episode=made["redirected_no_clock"]).delete()
    # An episode id past seven digits (EP12345678).
    big = f.PatientFactory(practice=practice)
    made["big_id"] = Episode.objects.create(
        id=12_345_678, patient=big, practice=practice, received_on=date(2026, 10, 3)
    )
    return practice, made


def test_the_shared_october_data_is_written_the_same_by_copy(data):
    for commissioner in (None, data["a"].commissioner, data["b"].commissioner):
        for month in (date(2026, 9, 1), OCT, date(2026, 11, 1)):
            assert_same(commissioner, month)


def test_every_formatting_edge_is_written_the_same_by_copy(edges):
    practice, made = edges
    rows = {row["episode_reference"]: row for row in assert_same(practice.commissioner, OCT)}
    assert_same(None, OCT)
    ref = {name: f"EP{ep.pk:07d}" for name, ep in made.items()}
    # The values, not only the agreement, for the edges that tempt a SQL rewrite.
    assert rows[ref["turns_30_on_31_oct"]]["age_band"] == "30-39"
    assert rows[ref["still_29"]]["age_band"] == "18-29"
    assert rows[ref["aged_17"]]["age_band"] == "under 18"
    assert (rows[ref["aged_80"]]["age_band"], rows[ref["aged_79"]]["age_band"]) == ("80+", "70-79")
    assert rows[ref["no_space"]]["postcode_district"] == "DL1"
    assert rows[ref["lower_case"]]["postcode_district"] == "TS1"
    assert rows[ref["short"]]["postcode_district"] == "" and rows[ref["empty"]]["postcode_district"] == ""
    late = rows[ref["no_space"]]
    assert late["discharge_letter_sent_on"] == "2026-10-23"  # 00:30 on 23 Oct, British Summer Time
    assert rows[ref["lower_case"]]["discharge_letter_sent_on"] == "2026-10-25"  # 23:30 GMT
    assert rows[ref["short"]]["discharge_letter_sent_on"] == "2026-10-24"
    assert late["bpi_interference_entry"] == "5.1429" and late["bpi_interference_discharge"] == "0"
    assert late["eq5d_index_entry"] == "-0.594" and late["eq5d_index_discharge"] == "0.0521"
    assert late["pseq_entry"] == "17" and late["pseq_discharge"] == "41"
    assert (late["ome_first_attendance_mg"], late["ome_discharge_mg"]) == ("12.50", "0.05")
    assert rows["EP12345678"]["state"] and len(rows["EP12345678"]["patient_pseudonym"]) == 32
    assert (late["prescribing_advice_letters"], late["prescribing_advice_on_time"]) == ("2", "1")
    assert ref["rejected_in_september"] not in rows
    assert rows[ref["rejected_in_october"]]["state"] == "rejected"
    assert rows[ref["redirected_no_clock"]]["rtt_clock_start"] == ""


def test_a_decision_naming_another_referral_is_on_time_by_that_referral_s_due_date(db):
    """COPY reads the decision's referral through the episode's own (one to one); a decision that names
    another referral (a repaired record) is judged, as the ORM judges it, by that referral's due date."""
    practice = f.PracticeFactory()
    late = rf.episode(practice=practice, received_on=date(2026, 10, 1))  # due 5 Oct
    other = rf.episode(practice=practice, received_on=date(2026, 10, 20))  # due 22 Oct
    decision = rf.triage(late, outcome="accept", decided_on=date(2026, 10, 9), tier=2)
    rows = {row["episode_reference"]: row for row in assert_same(practice.commissioner, OCT)}
    assert rows[late.reference]["triage_on_time"] == "N"
    TriageDecision.objects.filter(pk=decision.pk).update(referral=other.referral)
    rows = {row["episode_reference"]: row for row in assert_same(practice.commissioner, OCT)}
    assert rows[late.reference]["triage_on_time"] == "Y"


def test_the_service_and_the_download_use_copy_on_postgresql(edges, django_assert_max_num_queries):
    practice, _ = edges
    expected = python_file(practice.commissioner, OCT)
    data_set = services.mds_generate(commissioner=practice.commissioner, month=OCT)
    with data_set.file.open("rb") as handle:
        assert handle.read().decode() == expected
    assert data_set.row_count == expected.count("\r\n") - 1
    # Set-based: the same handful of statements whatever the number of rows.
    with django_assert_max_num_queries(15):
        assert "".join(mds_csv_chunks(practice.commissioner, OCT, chunk_size=100)) == expected
    # Twice in one transaction: the temporary tables of the first do not stop the second.
    handle = io.StringIO(newline="")
    mds_csv(handle, practice.commissioner, OCT)
    assert handle.getvalue() == expected
