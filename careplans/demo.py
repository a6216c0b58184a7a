"""Demo clinical care: move a realistic share of accepted episodes further through the services.

Appointments (attended and DNA), assessments, care plans, first treatments, opioid lines (some
over the 100 mg OME alert threshold), discharges with letters, and a PMP group. Deterministic.
"""

from __future__ import annotations

from datetime import timedelta

from pathway.models import DischargeReason, Episode, EpisodeState

from . import services

MEDICATIONS = [
    {"drug": "codeine", "route": "oral", "dose_mg": 30, "doses_per_day": 4},
    {"drug": "tramadol", "route": "oral", "dose_mg": 50, "doses_per_day": 4},
    {"drug": "morphine", "route": "oral", "dose_mg": 20, "doses_per_day": 2},
    {"drug": "buprenorphine", "route": "transdermal", "patch_mcg_per_hour": 10},
    {"drug": "tapentadol", "route": "oral", "dose_mg": 50, "doses_per_day": 2},
]
HIGH_DOSE = [
    {"drug": "oxycodone", "route": "oral", "dose_mg": 40, "doses_per_day": 2},
    {"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 37},
]
DISCHARGE_REASONS = [
    DischargeReason.COMPLETED,
    DischargeReason.COMPLETED,
    DischargeReason.COMPLETED,
    DischargeReason.DISENGAGED,
    DischargeReason.LEFT_AREA,
    DischargeReason.ONWARD_REFERRAL,
    DischargeReason.DECLINED,
]


def _care(ctx, episode: Episode, clinician) -> None:
    rng, today = ctx.rng, ctx.today
    start = episode.admitted_on or episode.received_on
    first_day = start + timedelta(days=rng.randint(10, 35))
    if first_day >= today:
        services.appointment_book(
            episode=episode, kind="new", date=first_day, mode="face_to_face", clinician=clinician, booked_on=start
        )
        return
    first = services.appointment_book(
        episode=episode, kind="new", date=first_day, clinician=clinician, actor=clinician, booked_on=start
    )
    if rng.random() < 0.12:
        services.appointment_record_outcome(appointment=first, outcome="dna", actor=clinician)
        if rng.random() < 0.3:
            return  # the clinician has not yet decided what happens next
        services.appointment_dna_decide(appointment=first, decision="rebook", reason="Letter sent", actor=clinician)
        first_day = first_day + timedelta(days=rng.randint(14, 28))
        first = services.appointment_book(
            episode=episode,
            kind="new",
            date=first_day,
            mode="phone",
            clinician=clinician,
            actor=clinician,
            booked_on=min(first.date + timedelta(days=2), ctx.today),
        )
        if first_day >= today:
            return
    if rng.random() < 0.3:
        line = rng.choice(MEDICATIONS)
        services.medication_add(episode=episode, actor=clinician, started_on=episode.received_on, **line)
    services.appointment_record_outcome(appointment=first, outcome="attended", actor=clinician)
    risky = rng.random() < 0.08
    services.assessment_record(
        episode=episode,
        assessed_on=first_day,
        clinician=clinician,
        biological="Chronic low back pain with radiation to the left leg; no red flags.",
        psychological="Low mood and fear of movement; PHQ-9 12.",
        social="Off work for six months; lives with partner.",
        goals="Walk the dog every day; return to work part time.",
        suicide_risk=risky and rng.random() < 0.5,
        drug_misuse=risky,
    )
    if rng.random() < 0.75:
        services.careplan_save(
            episode=episode,
            actor=clinician,
            goals=[
                {"goal": "Walk for 20 minutes a day", "review_on": (first_day + timedelta(weeks=8)).isoformat()},
                {"goal": "Return to work part time", "review_on": (first_day + timedelta(weeks=16)).isoformat()},
            ],
            education=[rng.choice(["1:1 pain education", "Group PMP", "Online pain course"])],
            therapies=rng.sample(["Graded exercise", "ACT", "CBT", "Functional restoration"], 2),
            clinical=["Medication review"],
            interventions=rng.choice([[], ["Medial branch blocks"], ["Trigger point injections"]]),
            flare_up_plan="Pace activity, heat pack, short rests, keep moving gently.",
            emergency_plan="New weakness, numbness or bladder or bowel change: call 999 or go to A&E.",
            shared_with_patient=True,
            shared_with_gp=rng.random() < 0.8,
        )
    if rng.random() < 0.45:
        for line in rng.sample(HIGH_DOSE if rng.random() < 0.35 else MEDICATIONS, 2):
            services.medication_add(episode=episode, actor=clinician, started_on=first_day, **line)
    treated_on = first_day + timedelta(days=rng.randint(14, 40))
    if treated_on >= today or rng.random() < 0.35:
        return
    services.treatment_start(
        episode=episode, date=treated_on, kind=rng.choice(["therapy", "pmp", "intervention"]), actor=clinician
    )
    review_on = treated_on + timedelta(days=rng.randint(21, 42))
    if review_on < today:
        review = services.appointment_book(
            episode=episode, kind="review", date=review_on, mode="video", clinician=clinician, booked_on=treated_on
        )
        services.appointment_record_outcome(
            appointment=review, outcome="attended" if rng.random() < 0.85 else "dna", actor=clinician
        )
    discharge_on = treated_on + timedelta(days=rng.randint(45, 120))
    if discharge_on < today and rng.random() < 0.5:
        reason = rng.choice(DISCHARGE_REASONS)
        services.discharge_record(
            episode=episode,
            date=discharge_on,
            reason=reason,
            actor=clinician,
            summary="Completed the programme; self-managing with a flare-up plan.",
            medication_changes="Opioids reviewed; see the medication list.",
            adverse_reactions="None reported.",
            gp_actions="Continue the current plan; review opioids in 3 months.",
            treatment_exhausted=reason == DischargeReason.COMPLETED and rng.random() < 0.3,
            onward_referral="Community mental health team" if reason == DischargeReason.ONWARD_REFERRAL else "",
            support_plan="Self-management with the flare-up plan; local peer support group.",
            confirm_open_tasks=True,
        )


def seed(ctx) -> None:
    clinicians = [ctx.users["clinician"], ctx.users["physio"]]
    ids = [e.pk for e in ctx.episodes]
    accepted = list(Episode.objects.filter(pk__in=ids, state=EpisodeState.ACCEPTED).order_by("received_on", "id"))
    in_care = []
    for i, episode in enumerate(accepted):
        if (ctx.today - episode.received_on).days < 20 or ctx.rng.random() < 0.25:
            continue  # waiting for a first appointment
        _care(ctx, episode, clinicians[i % 2])
        in_care.append(episode.pk)
    session = services.group_session_create(
        name="Pain management programme, week 1",
        date=ctx.today + timedelta(days=14),
        capacity=12,
        facilitator=ctx.users["physio"],
    )
    for episode in Episode.objects.filter(pk__in=in_care, state__in=services.CARE_STATES)[:8]:
        services.appointment_book(
            episode=episode, kind="group", date=session.date, group_session=session, clinician=ctx.users["physio"]
        )
