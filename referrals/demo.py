"""Demo referrals: every demo patient is referred through the intake service, over the last year."""

from __future__ import annotations

from datetime import timedelta

from referrals import services
from referrals.models import RED_FLAGS, Referral, Urgency

SITES = [
    ("lower back", "Aching, worse on standing", "Off work for 3 months"),
    ("neck and shoulders", "Stiff, burning", "Cannot drive for long"),
    ("knees", "Sharp on stairs", "Stopped walking the dog"),
    ("widespread (fibromyalgia)", "Diffuse aching and fatigue", "Reduced hours at work"),
    ("pelvis", "Deep, constant", "Difficulty sitting"),
    ("abdomen", "Cramping, intermittent", "Misses social events"),
    ("feet (neuropathic)", "Burning and tingling", "Sleep disturbed most nights"),
    ("head (chronic migraine)", "Throbbing", "Frequent sick days"),
]
TREATMENTS = ["Physiotherapy", "Physiotherapy; TENS", "Talking therapy", "Acupuncture", "None yet"]
MEDICATIONS = [
    "Paracetamol; naproxen",
    "Co-codamol 30/500",
    "Amitriptyline 10 mg",
    "Pregabalin 75 mg bd",
    "Tramadol 50 mg",
]
HISTORY = ["Hypertension", "Type 2 diabetes", "Asthma", "Depression", "No significant history"]
FLAGS = list(RED_FLAGS)


def seed(ctx) -> None:
    rng = ctx.rng
    gp, spa = ctx.users["gp"], ctx.users["spa"]
    for i, patient in enumerate(ctx.patients):
        # One in eight arrived in the last week, so the triage queue is mostly on time with a few due
        # today, whatever day the demo is loaded; the rest spread over the year behind it.
        recent = i % 8 == 0
        received = ctx.today - timedelta(days=rng.randint(0, 6) if recent else rng.randint(7, 365))
        site, nature, impact = rng.choice(SITES)
        urgency = Urgency.PALLIATIVE if i % 29 == 0 else Urgency.URGENT if i % 11 == 0 else Urgency.ROUTINE
        # The GP user belongs to one practice; the SPA keys in referrals from the others (letters, e-RS).
        actor = gp if patient.practice_id == gp.profile.practice_id else spa
        data = {
            "nhs_number": patient.nhs_number,
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "date_of_birth": patient.date_of_birth,
            "sex": patient.sex,
            "address": patient.address,
            "postcode": patient.postcode,
            "phone": patient.phone,
            "ethnicity": rng.choice(["White British", "Asian British", "Black British", "Mixed", "Not stated"]),
            "interpreter_needed": patient.interpreter_needed,
            "interpreter_language": patient.interpreter_language,
            "veteran": patient.veteran,
            "practice_ods": patient.practice.ods_code,
            "referrer_name": rng.choice(["Dr Rao", "Dr Evans", "Dr Khan", "ANP Walsh"]),
            "received_on": received,
            "ubrn": f"{rng.randint(10**11, 10**12 - 1)}" if i % 5 == 0 else "",
            "ubrn_converted_on": received - timedelta(days=rng.randint(0, 3)) if i % 5 == 0 else None,
            "pain_site": site,
            "pain_nature": nature,
            "duration_months": rng.choice([4, 6, 9, 12, 18, 24, 36, 60]),
            "impact": impact,
            "previous_treatments": rng.choice(TREATMENTS),
            "medical_history": rng.choice(HISTORY),
            "medications": rng.choice(MEDICATIONS),
            "needs_vulnerabilities": "Lives alone" if i % 7 == 0 else "",
            "risks": "Low mood reported" if i % 13 == 0 else "",
            "urgency": urgency,
            "referrer_type": "oncologist" if urgency == Urgency.PALLIATIVE else "gp",
            "red_flags": [FLAGS[i % len(FLAGS)]] if i % 9 == 0 else [],
            "reason": f"Persistent {site} pain despite primary-care management",
        }
        source = Referral.Source.WEB if i % 3 else Referral.Source.API
        referral = services.referral_create(data=data, actor=actor, source=source)
        ctx.episodes.append(referral.episode)
