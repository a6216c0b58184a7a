"""A realistic data set of N referrals received over the three years up to today.

Shares as a pain service would have them: most referrals are triaged within two working days, so
the queue holds the last few days' referrals; about 60% are accepted, 25% returned to the GP and
15% redirected; an accepted episode is assessed within weeks, treated and discharged after three
to twelve months, so a year's worth of admissions are open at any time. Each episode gets the rows
the services would have written: referral, RTT periods, deadlines (met or breached), timeline
events, triage decision, appointments, assessment, care plan, treatment start, PROMs, survey,
discharge and letters. Everything is written with explicit ids through ``TableWriter``.
"""

from __future__ import annotations

import random
import sys
from datetime import date, time, timedelta

from django.db import connection, transaction

from careplans.models import Appointment, Assessment, CarePlan, Discharge, Extension, TreatmentStart
from outcomes.models import ExperienceSurvey, PromResponse
from pathway.calendar import add_months
from pathway.models import (
    Deadline,
    DeadlineKind,
    Episode,
    EpisodeState,
    Letter,
    LetterKind,
    PathwayEvent,
    Patient,
    RttPeriod,
)
from referrals.models import TRIAGE_PRIORITY, Referral, Urgency
from triage.models import TriageDecision

from .population import (
    COMMISSIONERS,
    DISCHARGE_REASONS,
    FAMILY,
    GIVEN,
    SITES,
    YEARS,
    Staff,
    _at,
    _weighted,
    ensure_staff,
    nhs_numbers,
    working_days_after,
)
from .writer import TableWriter, next_id, reset_sequences


class Generator:
    def __init__(self, n: int, *, today: date, seed: int = 18, progress=None):
        self.n = n
        self.today = today
        self.rng = random.Random(seed)
        self.progress = progress
        self.writers: dict[type, TableWriter] = {}
        self.ids: dict[type, int] = {}

    def _w(self, model) -> TableWriter:
        if model not in self.writers:
            self.writers[model] = TableWriter(model)
            self.ids[model] = next_id(model)
        return self.writers[model]

    def add(self, model, **row) -> int:
        writer = self._w(model)
        pk = self.ids[model]
        self.ids[model] += 1
        if writer.add(id=pk, **row):
            self.flush()
        return pk

    def flush(self) -> None:
        """Every table in the order first written, parents before children: foreign keys are
        checked as each COPY runs."""
        for writer in self.writers.values():
            writer.flush()

    def run(self) -> Staff:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: checked at COMMIT,
                # millions of queued checks at once. Checked as each COPY runs instead.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            staff = ensure_staff()
            self.staff = staff
            clinician = staff.users["bench-clinician"].pk
            self.clinician = clinician
            numbers = nhs_numbers(next_id(Patient) * 3)
            start = self.today - timedelta(days=365 * YEARS)
            span = (self.today - start).days
            # Received dates spread evenly over the span, in order, so ids follow time as in life.
            for i in range(self.n):
                received = start + timedelta(days=(i * span) // self.n)
                self._referral(next(numbers), received)
                if self.progress and (i + 1) % 1000 == 0:
                    self.progress(i + 1, self.n)
            self.flush()
            reset_sequences(self.writers)
        if self.progress:
            self.progress(self.n, self.n)
        return staff

    # --- One referral and everything that followed it --------------------------------------

    def _referral(self, nhs: str, received: date) -> None:
        rng, today = self.rng, self.today
        practice = rng.choice(self.staff.practices)
        patient = self.add(
            Patient,
            nhs_number=nhs,
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=received - timedelta(days=rng.randint(19 * 365, 88 * 365)),
            sex=rng.choice(["female", "male", "female", "male", "other"]),
            postcode=f"DL{rng.randint(1, 3)} {rng.randint(1, 9)}AB",
            address="1 Any Street\nDarlington",
            practice_id=practice.pk,
        )
        urgency = _weighted(rng, [(Urgency.ROUTINE, 90), (Urgency.URGENT, 9), (Urgency.PALLIATIVE, 1)])
        due = working_days_after(received, 2)
        # Triage takes 0-6 calendar days; about one in eight is late.
        decided = received + timedelta(days=rng.choice([0, 1, 1, 1, 2, 2, 3, 4, 6]))
        outcome = _weighted(rng, [("accept", 60), ("reject", 25), ("redirect", 15)])
        if decided >= today:
            outcome = None
        ep = {
            "patient_id": patient,
            "practice_id": practice.pk,
            "received_on": received,
            "triage_priority": TRIAGE_PRIORITY[urgency],
            "triage_due_on": due,
            "created_at": _at(received),
            "updated_at": _at(min(today, decided)),
        }
        events: list[tuple] = [(received, "", EpisodeState.TRIAGE, "Referral received", PathwayEvent.Kind.TRANSITION)]
        deadlines: list[dict] = []
        triage_deadline = {"kind": DeadlineKind.TRIAGE, "started_on": received, "due_on": due}
        deadlines.append(triage_deadline)
        rtt = {"clock_start": received, "status_code": "10"}
        rtt_deadline = {"kind": DeadlineKind.RTT, "started_on": received, "due_on": received + timedelta(days=126)}
        deadlines.append(rtt_deadline)
        later: list = []

        if outcome is None:
            ep["state"] = EpisodeState.INFO_REQUESTED if rng.random() < 0.03 else EpisodeState.TRIAGE
            if ep["state"] == EpisodeState.INFO_REQUESTED:
                events.append((received, EpisodeState.TRIAGE, EpisodeState.INFO_REQUESTED, "More information", "t"))
        else:
            triage_deadline["met_on"] = decided
            if outcome != "accept":
                state = EpisodeState.REJECTED if outcome == "reject" else EpisodeState.REDIRECTED
                ep.update(state=state, closed_reason="Not suitable for the service")
                events.append((decided, EpisodeState.TRIAGE, state, "Triage outcome", "t"))
                rtt.update(clock_stop=decided, status_code="34", stop_reason="Decision not to treat")
                rtt_deadline["met_on"] = decided
                later.append(("letter_triage", decided))
            else:
                self._accepted(ep, decided, events, deadlines, rtt, rtt_deadline, later)
        self._breaches(deadlines)

        episode = self.add(Episode, **{"state": EpisodeState.TRIAGE, **ep})
        referral = self.add(
            Referral,
            episode_id=episode,
            patient_id=patient,
            practice_id=practice.pk,
            received_on=received,
            urgency=urgency,
            referrer_type="oncologist" if urgency == Urgency.PALLIATIVE else "gp",
            pain_site=rng.choice(SITES),
            duration_months=rng.randint(4, 120),
            reason="Persistent pain despite primary care management",
            red_flags=["inflammatory"] if rng.random() < 0.02 else [],
            triage_due_on=due,
            created_at=_at(received),
        )
        if outcome is not None:
            self.add(
                TriageDecision,
                episode_id=episode,
                referral_id=referral,
                outcome=outcome,
                tier=ep.get("tier"),
                reason="Meets the criteria" if outcome == "accept" else "Better served elsewhere",
                redirect_to="msk" if outcome == "redirect" else "",
                decided_on=decided,
                created_at=_at(decided),
            )
        period = self.add(RttPeriod, episode_id=episode, **rtt)
        rtt_deadline["subject"] = f"rtt:{period}"
        for d in deadlines:
            self.add(Deadline, episode_id=episode, created_at=_at(d["started_on"]), **d)
        for day, old, new, reason, kind in events:
            self.add(
                PathwayEvent,
                episode_id=episode,
                at=_at(day, 9 + len(reason) % 8),
                kind=PathwayEvent.Kind.TRANSITION if kind == "t" else kind,
                old_state=old,
                new_state=new,
                reason=reason,
            )
        for item in later:
            self._later(episode, practice.pk, ep, item)

    def _accepted(self, ep, decided, events, deadlines, rtt, rtt_deadline, later) -> None:
        rng, today = self.rng, self.today
        tier = _weighted(rng, [(1, 20), (2, 50), (3, 30)])
        team = self.staff.teams[rng.randrange(len(self.staff.teams))]
        ep.update(
            state=EpisodeState.ACCEPTED,
            tier=tier,
            team_id=team.pk,
            admitted_on=decided,
            episode_limit_on=add_months(decided, 9),
        )
        events.append((decided, EpisodeState.TRIAGE, EpisodeState.ACCEPTED, "Accepted at triage", "t"))
        deadlines.append({"kind": DeadlineKind.EPISODE_LIMIT, "started_on": decided, "due_on": add_months(decided, 9)})
        if tier == 3:
            deadlines.append(
                {"kind": DeadlineKind.MDT_REVIEW, "started_on": decided, "due_on": decided + timedelta(weeks=4)}
            )
        assessed = decided + timedelta(days=rng.randint(10, 42))
        treated = assessed + timedelta(days=rng.randint(7, 28))
        length = rng.randint(90, 300) if rng.random() < 0.92 else rng.randint(280, 420)
        discharged = decided + timedelta(days=max(length, (treated - decided).days + 14))
        if assessed <= today:
            ep["state"] = EpisodeState.ASSESSMENT
            events.append((assessed, EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT, "First assessment", "t"))
            later.append(("assessment", assessed))
        if treated <= today:
            ep["state"] = EpisodeState.TREATMENT
            events.append((treated, EpisodeState.ASSESSMENT, EpisodeState.TREATMENT, "Treatment started", "t"))
            rtt.update(clock_stop=treated, status_code="30", stop_reason="First definitive treatment")
            rtt_deadline["met_on"] = treated
            later.append(("treatment", treated))
        for d in deadlines:
            if d["kind"] == DeadlineKind.MDT_REVIEW and d["due_on"] <= min(today, discharged):
                d["met_on"] = d["due_on"] - timedelta(days=rng.randint(0, 6))
        end = min(today, discharged)
        later.append(("appointments", assessed, end))
        if discharged <= today:
            reason = _weighted(rng, DISCHARGE_REASONS)
            ep.update(state=EpisodeState.DISCHARGED, discharged_on=discharged, discharge_reason=reason)
            events.append((discharged, ep_state_before(events), EpisodeState.DISCHARGED, "Discharged", "t"))
            for d in deadlines:
                if d["kind"] == DeadlineKind.EPISODE_LIMIT and "met_on" not in d:
                    d["met_on"] = discharged
            if "met_on" not in rtt_deadline:
                rtt.update(clock_stop=discharged, status_code="35", stop_reason="Discharged before treatment")
                rtt_deadline["met_on"] = discharged
            later.append(("discharge", discharged, reason))
        elif add_months(decided, 9) < today and rng.random() < 0.6:
            later.append(("extension", add_months(decided, 8)))

    def _breaches(self, deadlines) -> None:
        """As the sweep would have left them: every deadline past due by today is breached."""
        for d in deadlines:
            done = d.get("met_on")
            if (done is not None and done > d["due_on"]) or (done is None and d["due_on"] < self.today):
                d["breached_on"] = d["due_on"] + timedelta(days=1)
                d["escalated_at"] = _at(d["due_on"] + timedelta(days=1), 2)

    def _later(self, episode: int, practice: int, ep: dict, item: tuple) -> None:
        rng, today = self.rng, self.today
        kind = item[0]
        if kind == "letter_triage":
            self.add(
                Letter,
                kind=LetterKind.TRIAGE_OUTCOME,
                episode_id=episode,
                practice_id=practice,
                state="sent",
                content={"reason": "Better served elsewhere"},
                sent_at=_at(item[1], 15),
                created_at=_at(item[1]),
                updated_at=_at(item[1], 15),
            )
        elif kind == "assessment":
            self.add(
                Assessment,
                episode_id=episode,
                assessed_on=item[1],
                clinician_id=self.clinician,
                biological="Chronic pain",
                goals="Return to walking",
                created_at=_at(item[1]),
            )
            self.add(
                CarePlan,
                episode_id=episode,
                version=1,
                goals=[{"goal": "Walk 30 minutes", "review_on": (item[1] + timedelta(days=42)).isoformat()}],
                flare_up_plan="Pacing and heat",
                emergency_plan="Call 111",
                shared_with_patient=rng.random() < 0.9,
                shared_with_gp=rng.random() < 0.85,
                created_by_id=self.clinician,
                created_at=_at(item[1] + timedelta(days=3)),
            )
            self.add(
                PromResponse,
                episode_id=episode,
                instrument="PSEQ",
                timepoint="entry",
                instrument_version="1",
                answers={},
                scores={"total": rng.randint(10, 40)},
                completed_on=item[1] - timedelta(days=3),
                created_at=_at(item[1] - timedelta(days=3)),
            )
        elif kind == "treatment":
            self.add(
                TreatmentStart,
                episode_id=episode,
                date=item[1],
                kind=rng.choice(["therapy", "pmp", "intervention"]),
                recorded_by_id=self.clinician,
                created_at=_at(item[1]),
            )
        elif kind == "appointments":
            first, end = item[1], item[2]
            day, k = first, 0
            while day <= end:
                outcome = "dna" if rng.random() < 0.08 else "attended"
                self.add(
                    Appointment,
                    episode_id=episode,
                    kind="new" if k == 0 else "review",
                    date=day,
                    time=time(9 + k % 8),
                    clinician_id=self.clinician,
                    outcome=outcome,
                    outcome_recorded_at=_at(day, 17),
                    booked_on=day - timedelta(days=21),
                    created_at=_at(day - timedelta(days=21)),
                )
                day += timedelta(days=rng.randint(21, 49))
                k += 1
            if ep.get("discharged_on") is None and first <= end:
                # The next booked appointment of an open episode.
                self.add(
                    Appointment,
                    episode_id=episode,
                    kind="review" if k else "new",
                    date=today + timedelta(days=rng.randint(1, 40)),
                    time=time(11),
                    clinician_id=self.clinician,
                    booked_on=today,
                )
        elif kind == "discharge":
            discharged, reason = item[1], item[2]
            self.add(
                Discharge,
                episode_id=episode,
                date=discharged,
                reason=reason,
                summary="Completed the programme",
                gp_actions="Continue current medication",
                clinician_id=self.clinician,
                created_at=_at(discharged),
            )
            if rng.random() < 0.7:
                self.add(
                    PromResponse,
                    episode_id=episode,
                    instrument="PSEQ",
                    timepoint="discharge",
                    instrument_version="1",
                    answers={},
                    scores={"total": rng.randint(15, 55)},
                    completed_on=discharged,
                    created_at=_at(discharged),
                )
            if rng.random() < 0.4:
                self.add(ExperienceSurvey, episode_id=episode, positive=rng.random() < 0.88, answered_on=discharged)
            due = working_days_after(discharged, 3)
            sent = discharged + timedelta(days=rng.choice([1, 1, 2, 2, 3, 5]))
            letter = self.add(
                Letter,
                kind=LetterKind.DISCHARGE,
                episode_id=episode,
                practice_id=practice,
                state="acknowledged" if sent <= today else "approved",
                due_on=due,
                content={"summary": "Completed the programme"},
                sent_at=_at(sent, 15) if sent <= today else None,
                acknowledged_at=_at(sent, 18) if sent <= today else None,
                created_at=_at(discharged),
                updated_at=_at(min(sent, today)),
            )
            deadline = {
                "kind": DeadlineKind.DISCHARGE_LETTER,
                "subject": f"letter:{letter}",
                "started_on": discharged,
                "due_on": due,
            }
            if sent <= today:
                deadline["met_on"] = sent
            self._breaches([deadline])
            self.add(Deadline, episode_id=episode, created_at=_at(discharged), **deadline)
        elif kind == "extension":
            self.add(
                Extension,
                episode_id=episode,
                rationale="Completing the pain management programme",
                until=add_months(ep["admitted_on"], 12),
                requested_by_id=self.clinician,
                requested_at=_at(item[1]),
                approved_at=_at(item[1] + timedelta(days=5)),
            )


def ep_state_before(events) -> str:
    return events[-1][2]


def bench_episode_count() -> int:
    return Episode.objects.filter(practice__commissioner__code__in=[c for c, _ in COMMISSIONERS]).count()


def print_progress(done: int, total: int, *, out=sys.stderr, width: int = 40) -> None:
    filled = width * done // max(total, 1)
    out.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} referrals")
    if done >= total:
        out.write("\n")
    out.flush()
