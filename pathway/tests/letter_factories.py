"""Clinical records for letter tests, written directly (the care services are built in parallel)."""

from datetime import date
from decimal import Decimal

from careplans.models import CarePlan, Discharge, MedicationLine
from pathway import services
from pathway.models import EpisodeState, LetterKind, Role, StaffProfile
from pathway.tests import factories as f


def consultant(**kwargs):
    user = f.UserFactory(role=Role.CLINICIAN, first_name="Chris", last_name="Okafor", **kwargs)
    StaffProfile.objects.filter(user=user).update(
        job_title="Consultant in pain medicine", professional_registration="GMC 7654321"
    )
    user.refresh_from_db()
    return user


def discharged_episode(*, clinician, discharged_on=date(2026, 8, 28), admitted_on=date(2026, 3, 2), practice=None):
    """An episode taken through the pathway to discharge, with a care plan, medicines and a discharge record."""
    patient = f.PatientFactory(
        given_name="Margaret",
        family_name="O'Neill",
        date_of_birth=date(1961, 7, 14),
        address="14 Coniscliffe Road\nDarlington",
        postcode="DL3 7RG",
        **({"practice": practice} if practice else {}),
    )
    episode = f.open_episode(patient=patient, received_on=date(2026, 2, 20))
    for state in (EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT, EpisodeState.TREATMENT, EpisodeState.DISCHARGED):
        services.episode_transition(episode=episode, to=state, actor=clinician, reason="test")
    episode.refresh_from_db()
    episode.admitted_on, episode.discharged_on = admitted_on, discharged_on
    episode.discharge_reason, episode.tier = "completed", 2
    episode.responsible_clinician = clinician
    episode.ome_total_mg_per_day = Decimal("60")
    episode.save()
    CarePlan.objects.create(
        episode=episode,
        version=1,
        goals=[{"goal": "Walk to the shops without stopping", "review_on": "2026-06-01"}],
        education=["Group pain management programme"],
        therapies=["Graded exercise with physiotherapy", "ACT sessions"],
        clinical=["Medication review at 6 weeks"],
        interventions=["Lumbar medial branch blocks"],
        flare_up_plan="Pace activities, heat, and take paracetamol regularly for up to 5 days.",
        emergency_plan="New leg weakness or loss of bladder control: call 999 or go to A&E.",
        shared_with_patient=True,
        created_by=clinician,
    )
    CarePlan.objects.create(
        episode=episode,
        version=2,
        goals=[{"goal": "Return to part-time work", "review_on": "2026-09-01"}],
        education=["Online pain course"],
        therapies=["Graded exercise with physiotherapy"],
        clinical=["Opioid taper"],
        interventions=["Radiofrequency denervation"],
        flare_up_plan="Use the flare-up plan leaflet; reduce activity by half for two days.",
        emergency_plan="Cauda equina symptoms: call 999 or attend the emergency department immediately.",
        shared_with_patient=True,
        created_by=clinician,
    )
    MedicationLine.objects.create(
        episode=episode,
        drug="oxycodone",
        route="oral",
        dose_mg=Decimal("20"),
        doses_per_day=Decimal("2"),
        ome_mg_per_day=Decimal("60"),
        factor=Decimal("1.5"),
        factor_version="2026.1",
        started_on=date(2026, 4, 1),
        review_due_on=date(2026, 5, 13),
        prescribed_by=clinician,
    )
    Discharge.objects.create(
        episode=episode,
        date=discharged_on,
        reason="completed",
        summary="Completed the pain management programme and a course of physiotherapy.",
        medication_changes="Oxycodone reduced from 30 mg to 20 mg twice daily.",
        adverse_reactions="Nausea with tramadol.",
        gp_actions="Please continue the oxycodone taper by 10% every two weeks.",
        treatment_exhausted=True,
        onward_referral="Community physiotherapy, Darlington",
        clinician=clinician,
    )
    return episode


def discharge_letter(episode, *, actor=None, due_on=date(2026, 9, 3)):
    d = episode.discharge
    return services.letter_create(
        kind=LetterKind.DISCHARGE,
        episode=episode,
        actor=actor,
        content={
            "date": d.date.isoformat(),
            "reason": d.reason,
            "summary": d.summary,
            "medication_changes": d.medication_changes,
            "adverse_reactions": d.adverse_reactions,
            "gp_actions": d.gp_actions,
            "treatment_exhausted": d.treatment_exhausted,
            "onward_referral": d.onward_referral,
        },
        started_on=d.date,
        due_on=due_on,
    )
