"""The banners every page of a patient shows: communication needs, withdrawn sharing, open safeguarding."""

from django import template

from pathway.access import may_read_clinical
from pathway.models import Episode, Patient

from ..selectors import communication_summary, open_concerns_for_patient, withdrawn_sharing

register = template.Library()


@register.inclusion_tag("safeguarding/_banners.html", takes_context=True)
def patient_banners(context):
    user = context.get("user")
    episode = context.get("episode")
    patient = context.get("patient")
    if not isinstance(patient, Patient):
        patient = episode.patient if isinstance(episode, Episode) else None
    if patient is None or user is None or not user.is_authenticated:
        return {"patient": None}
    clinical = may_read_clinical(user)
    return {
        "patient": patient,
        "communication": communication_summary(patient),
        "withdrawn": withdrawn_sharing(patient) if clinical else [],
        "open_concerns": open_concerns_for_patient(user, patient).count() if clinical else 0,
    }
