"""What the referral states in letters: the pain problem the patient was referred with.

Registered with the core's letter rendering (``register_letter_facts``) in ``ReferralsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from pathway.models import Episode

from .models import Referral


def letter_facts(episode: Episode) -> dict[str, Any]:
    referral = (
        Referral.objects.filter(episode=episode).only("pain_site", "pain_nature", "duration_months", "impact").first()
    )
    if referral is None:
        return {"pain_problem": None}
    return {
        "pain_problem": {
            "site": referral.pain_site,
            "nature": referral.pain_nature,
            "duration_months": referral.duration_months,
            "impact": referral.impact,
        }
    }
