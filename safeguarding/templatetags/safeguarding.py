"""The banners every page of a patient shows: communication needs, withdrawn sharing, open safeguarding."""

from django import template

from pathway.access import episodes_visible_to, has_role, may_read_clinical
from pathway.batch import CountOf, read_together
from pathway.models import Episode, Patient, Role

from ..models import CommunicationNeeds, Incident
from ..selectors import (
    communication_summary,
    concerns_visible_to,
    open_concerns_for_patient,
    patient_consents,
    withdrawn_sharing,
)

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
    reads = {"needs": CommunicationNeeds.objects.filter(patient=patient)[:1]}
    if clinical:
        reads |= {
            "consents": patient_consents(patient),
            "open_concerns": CountOf(open_concerns_for_patient(user, patient)),
            "carers": patient.carers.filter(attends_appointments=True).order_by("id"),
        }
    read = read_together(**reads)  # one round trip for the four reads
    needs = read["needs"][0] if read["needs"] else CommunicationNeeds(patient=patient)
    return {
        "patient": patient,
        "episode": episode if isinstance(episode, Episode) else None,
        "clinical": clinical,
        "communication": communication_summary(patient, needs),
        "withdrawn": withdrawn_sharing(patient, read["consents"]) if clinical else [],
        "open_concerns": read["open_concerns"] if clinical else 0,
        "carers_attending": read["carers"] if clinical else [],
    }


@register.inclusion_tag("safeguarding/_worklist_tasks.html", takes_context=True)
def lead_safeguarding_tasks(context):
    """The service lead's open safeguarding concerns and events to review, on the work list."""
    user = context["user"]
    if not has_role(user, Role.SERVICE_LEAD):
        return {"lead": False}
    return {
        "lead": True,
        "concerns": concerns_visible_to(user).filter(closed_on__isnull=True).count(),
        "incidents": Incident.objects.filter(reviewed_at__isnull=True, episode__in=episodes_visible_to(user)).count(),
    }
