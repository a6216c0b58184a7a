"""The shared October 2026 data set of the reporting tests."""

from datetime import UTC, date, datetime

import pytest

from pathway import rtt, services
from pathway.models import Role
from pathway.tests import factories as f
from reporting.tests import factories as rf


@pytest.fixture
def data():
    """Commissioner A's October 2026, with commissioner B's rows that must never count.

    RTT (month end 31 Oct; 126 days back is 27 Jun): e1 27 Jun open (126 days, within), e2 26 Jun
    open (127, not), e3 stopped 5 Nov (incomplete at month end, within), e4 stopped 15 Oct
    (complete, out), e5 DNA-first nullified then restarted 10 Sep (within); t1-t4 open
    (within) -> 7 / 8.
    """
    a = f.PracticeFactory(ods_code="A81001")
    a2 = f.PracticeFactory(ods_code="A81002", commissioner=a.commissioner)
    b = f.PracticeFactory(ods_code="B82001")
    lead = f.UserFactory(role=Role.SERVICE_LEAD)
    ep = rf.episode
    # RTT
    e1 = ep(practice=a, received_on=date(2026, 6, 27))
    ep(practice=a, received_on=date(2026, 6, 26))  # e2
    e3 = ep(practice=a2, received_on=date(2026, 9, 1))
    rf.stop_clock(e3, on=date(2026, 11, 5))
    e4 = ep(practice=a, received_on=date(2026, 9, 1))
    rf.stop_clock(e4, on=date(2026, 10, 15))
    e5 = ep(practice=a, received_on=date(2026, 8, 1))
    rf.stop_clock(e5, on=date(2026, 9, 1), status_code=rtt.STATUS_DNA_FIRST_APPOINTMENT)
    services.rtt_clock_start(episode=e5, start=date(2026, 9, 10))
    ep(practice=a, received_on=date(2026, 11, 2))  # after month end
    ep(practice=b, received_on=date(2026, 5, 1))  # B, long wait
    # New-to-review: attended new 2 (e1, e3), attended review 5 -> 2.5
    rf.appointment(e1, kind="new", on=date(2026, 10, 5))
    rf.appointment(e1, kind="review", on=date(2026, 10, 12))
    rf.appointment(e1, kind="review", on=date(2026, 10, 19))
    rf.appointment(e1, kind="review", on=date(2026, 10, 26), outcome="dna")
    rf.appointment(e1, kind="group", on=date(2026, 10, 20))
    rf.appointment(e1, kind="new", on=date(2026, 9, 28))
    rf.appointment(e3, kind="new", on=date(2026, 10, 6))
    rf.appointment(e3, kind="review", on=date(2026, 10, 13))
    rf.appointment(e3, kind="review", on=date(2026, 10, 20))
    rf.appointment(e3, kind="review", on=date(2026, 10, 31))
    rf.appointment(e3, kind="review", on=date(2026, 11, 1))
    # Discharged in October: d1-d5 (A), d6 (B), d7 (A, September)
    ds = []
    for practice, discharged in [
        (a, date(2026, 10, 2)),
        (a, date(2026, 10, 9)),
        (a2, date(2026, 10, 30)),
        (a, date(2026, 10, 20)),
        (a, date(2026, 10, 21)),
        (b, date(2026, 10, 2)),
        (a, date(2026, 9, 30)),
    ]:
        d = ep(practice=practice, received_on=date(2026, 3, 2))
        d = rf.accept(d, on=date(2026, 3, 10), tier=2)
        rf.stop_clock(d, on=date(2026, 4, 1))
        ds.append((d, rf.discharge(d, on=discharged)))
    (d1, l1), (d2, l2), (d3, l3), (d4, l4), (d5, l5), (d6, l6), (d7, l7) = ds
    # Letters: due d1 7 Oct (sent 00:30 BST on 7 Oct: on time), d2 due 14 Oct (sent 00:30 BST
    # on 15 Oct, which is still 14 Oct in UTC: late), d3 not sent, d4 on time, d5 on time.
    rf.letter_sent(l1, datetime(2026, 10, 6, 23, 30, tzinfo=UTC))
    rf.letter_sent(l2, datetime(2026, 10, 14, 23, 30, tzinfo=UTC))
    rf.letter_sent(l4, rf.london(date(2026, 10, 21)))
    rf.letter_sent(l5, rf.london(date(2026, 10, 22)))
    rf.letter_sent(l6, rf.london(date(2026, 10, 3)))
    rf.letter_sent(l7, rf.london(date(2026, 10, 1)))
    # Care plans written and shared with patient and GP: d1, d3, d4 (d2 not shared, then shared
    # without a flare-up plan; d5 shared with the patient only) -> 3 / 5
    rf.care_plan(d1, shared=True)
    rf.care_plan(d2, shared=False)
    rf.care_plan(d2, shared=True, written=False)
    rf.care_plan(d5, shared=True, with_gp=False)
    rf.care_plan(d3, shared=False)
    rf.care_plan(d3, shared=True)
    rf.care_plan(d4, shared=True)
    rf.care_plan(d6, shared=True)
    # A referral withdrawn before acceptance (closed from triage on 5 Oct, its letter on time) is in
    # neither the care-plan nor the discharge-letter denominator.
    withdrawn = ep(practice=a, received_on=date(2026, 10, 1))
    lw = rf.discharge(withdrawn, on=date(2026, 10, 5), reason="declined")
    rf.letter_sent(lw, rf.london(date(2026, 10, 6)))
    # PROMs: d1 PSEQ +10 (improved), d2 PSEQ +6 (not), d3 BPI interference -1.5 (improved),
    # d4 EQ-5D +0.05 (improved, PSEQ has no discharge score), d5 no complete pair -> 3 / 4
    p = rf.prom
    p(d1, instrument="PSEQ", timepoint="entry", scores={"total": 20}, on=date(2026, 3, 10))
    p(d1, instrument="PSEQ", timepoint="discharge", scores={"total": 30}, on=date(2026, 10, 1))
    p(d2, instrument="PSEQ", timepoint="entry", scores={"total": 20}, on=date(2026, 3, 10))
    p(d2, instrument="PSEQ", timepoint="discharge", scores={"total": 26}, on=date(2026, 10, 8))
    p(d2, instrument="BPI", timepoint="entry", scores={"severity": 7.0, "interference": 7.0}, on=date(2026, 3, 10))
    p(d2, instrument="BPI", timepoint="discharge", scores={"severity": 3.0, "interference": 2.0}, on=date(2026, 10, 8))
    p(d3, instrument="BPI", timepoint="entry", scores={"severity": 6.0, "interference": 6.0}, on=date(2026, 3, 10))
    p(d3, instrument="BPI", timepoint="discharge", scores={"severity": 5.0, "interference": 4.5}, on=date(2026, 10, 29))
    p(d4, instrument="PSEQ", timepoint="entry", scores={"total": 10}, on=date(2026, 3, 10))
    eq_entry = {"profile": "32232", "index": 0.7, "vas": 50}
    eq_discharge = {"profile": "22222", "index": 0.75, "vas": 60}
    p(d4, instrument="EQ5D5L", timepoint="entry", scores=eq_entry, on=date(2026, 3, 10))
    p(d4, instrument="EQ5D5L", timepoint="discharge", scores=eq_discharge, on=date(2026, 10, 19))
    p(d5, instrument="PSEQ", timepoint="entry", scores={"total": 10}, on=date(2026, 3, 10))
    p(d5, instrument="PSEQ", timepoint="discharge", scores={}, on=date(2026, 10, 20), complete=False)
    p(d5, instrument="BPI", timepoint="entry", scores={"severity": 6.0, "interference": None}, on=date(2026, 3, 10))
    p(
        d5,
        instrument="BPI",
        timepoint="discharge",
        scores={"severity": 2.0, "interference": None},
        on=date(2026, 10, 20),
    )
    p(d6, instrument="PSEQ", timepoint="entry", scores={"total": 10}, on=date(2026, 3, 10))
    p(d6, instrument="PSEQ", timepoint="discharge", scores={"total": 50}, on=date(2026, 10, 1))
    # Experience: positive d1, d3, e1; negative d2; d4 in September
    rf.survey(d1, positive=True, on=date(2026, 10, 3))
    rf.survey(d3, positive=True, on=date(2026, 10, 30))
    rf.survey(e1, positive=True, on=date(2026, 10, 31))
    rf.survey(d2, positive=False, on=date(2026, 10, 10))
    rf.survey(d4, positive=True, on=date(2026, 9, 30))
    rf.survey(d6, positive=False, on=date(2026, 10, 10))
    # d7, discharged on 30 Sep, answers the survey and its three-month follow-up in October: its row
    # is in October's data set although the episode closed before October began -> 4 / 5
    rf.survey(d7, positive=True, on=date(2026, 10, 4))
    p(d7, instrument="PSEQ", timepoint="followup", scores={"total": 41}, on=date(2026, 10, 28))
    # Triage: t1 on time (due Mon 5 Oct), t2 late (due 12 Oct, decided 13th), t3 first decision
    # on time (1 Oct) then a later one, t4 first decided in September -> 2 / 3
    t1 = ep(practice=a, received_on=date(2026, 10, 1))
    rf.triage(t1, outcome="accept", decided_on=date(2026, 10, 5), tier=2)
    t2 = ep(practice=a, received_on=date(2026, 10, 8))
    rf.triage(t2, outcome="reject", decided_on=date(2026, 10, 13))
    t3 = ep(practice=a2, received_on=date(2026, 9, 29))
    rf.triage(t3, outcome="request_info", decided_on=date(2026, 10, 1))
    rf.triage(t3, outcome="accept", decided_on=date(2026, 10, 20), tier=3)
    t4 = ep(practice=a, received_on=date(2026, 9, 24))
    rf.triage(t4, outcome="request_info", decided_on=date(2026, 9, 25))
    rf.triage(t4, outcome="accept", decided_on=date(2026, 10, 2), tier=2)
    tb = ep(practice=b, received_on=date(2026, 10, 1))
    rf.triage(tb, outcome="accept", decided_on=date(2026, 10, 20), tier=2)
    # Over 9 months at 31 Oct (admitted on or before 31 Jan): o1 (approved 10 Oct), o2 (requested,
    # not approved), o5 (approved in November); o3 admitted 1 Feb; o4 discharged 15 Oct -> 1 / 3
    os_ = {}
    for name, practice, admitted in [
        ("o1", a, date(2026, 1, 31)),
        ("o2", a, date(2026, 1, 15)),
        ("o3", a, date(2026, 2, 1)),
        ("o4", a, date(2025, 12, 1)),
        ("o5", a2, date(2026, 1, 10)),
        ("ob", b, date(2025, 12, 1)),
    ]:
        o = ep(practice=practice, received_on=date(2025, 11, 20))
        o = rf.accept(o, on=admitted, tier=3)
        rf.stop_clock(o, on=date(2026, 2, 15))
        os_[name] = o
    rf.extension(os_["o1"], requested_by=lead, approved_at=rf.london(date(2026, 10, 10)))
    rf.extension(os_["o2"], requested_by=lead, requested_at=rf.london(date(2026, 10, 1)))
    rf.extension(
        os_["o5"],
        requested_by=lead,
        requested_at=rf.london(date(2026, 10, 1)),
        approved_at=rf.london(date(2026, 11, 3)),
    )
    rf.extension(os_["ob"], requested_by=lead, approved_at=rf.london(date(2026, 10, 3)))
    rf.discharge(os_["o4"], on=date(2026, 10, 15))
    return {
        "a": a,
        "a2": a2,
        "b": b,
        "lead": lead,
        "d": [d1, d2, d3, d4, d5],
        "o": os_,
        "e1": e1,
        "withdrawn": withdrawn,
        "d7": d7,
    }
