"""The banners every page of a patient shows: communication needs, withdrawn sharing, open safeguarding."""

from django import template

from pathway.access import episodes_visible_to, has_role, may_read_clinical
from pathway.models import Episode, Patient, Role

from ..models import Incident
from ..selectors import communication_summary, concerns_visible_to, open_concerns_for_patient, withdrawn_sharing

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
        "episode": episode if isinstance(episode, Episode) else None,
        "clinical": clinical,
        "communication": communication_summary(patient),
        "withdrawn": withdrawn_sharing(patient) if clinical else [],
        "open_concerns": open_concerns_for_patient(user, patient).count() if clinical else 0,
        "carers_attending": list(patient.carers.filter(attends_appointments=True).order_by("id")) if clinical else [],
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
