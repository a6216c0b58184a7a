"""What a commissioner user sees of the extensions past nine months it is asked to agree: the
patient's pseudonym, tier, dates and the clinical rationale, never an identifier."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from pathway.access import access_episode_object, allowed, has_role, refused, user_commissioner_id
from pathway.episode_dates import episode_limit_date
from pathway.models import Role
from pathway.pseudonym_key import pseudonym

from .models import Extension


def _commissioner_extensions(user) -> QuerySet[Extension]:
    commissioner_id = user_commissioner_id(user) if has_role(user, Role.COMMISSIONER) else None
    if commissioner_id is None:
        return Extension.objects.none()
    return Extension.objects.filter(episode__practice__commissioner_id=commissioner_id)


def pending_extensions_for(user) -> QuerySet[Extension]:
    """Extensions of the user's own commissioner waiting for its agreement, oldest first."""
    return (
        _commissioner_extensions(user)
        .filter(approved_at__isnull=True, declined_at__isnull=True)
        .select_related("episode")
        .order_by("requested_at", "id")
    )


def extension_for_decision(user, pk) -> Extension:
    """The extension a user asks to decide. A commissioner user: its own commissioner's, else 404
    (noted as refused). Anyone else: 404 unless they may see the episode (``access_episode_object``);
    the service itself may see it but may not decide (the service answers 403)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such extension.") from None
    if has_role(user, Role.COMMISSIONER):
        extension = _commissioner_extensions(user).select_related("episode__practice").filter(pk=pk).first()
        if extension is None:
            other = Extension.objects.filter(pk=pk).values_list("episode_id", "episode__patient_id").first()
            if other:
                refused(user, patient_id=other[1], episode_id=other[0])
            raise Http404("No such extension.")
        allowed(user, patient_id=extension.episode.patient_id, episode_id=extension.episode_id)
        return extension
    return access_episode_object(user, Extension, pk, related=("episode__practice",))


def extension_row(extension: Extension) -> dict:
    """One pending extension as a commissioner sees it: no name, NHS number, date of birth or episode id."""
    episode = extension.episode
    return {
        "id": extension.pk,
        "patient_pseudonym": pseudonym(episode.patient_id),
        "tier": episode.tier,
        "admitted_on": episode.admitted_on,
        "limit_on": episode_limit_date(episode.admitted_on) if episode.admitted_on else None,
        "requested_on": extension.requested_at.date(),
        "until": extension.until,
        "rationale": extension.rationale,
        "state": extension.state,
    }
