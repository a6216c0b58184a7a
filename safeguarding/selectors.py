"""Reads of consent, carers, communication needs, safeguarding concerns and incidents."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from pathway.access import episode_visible_through, has_role, may_read_clinical
from pathway.models import Patient, Role

from .models import CommunicationFormat, CommunicationNeeds, Consent, Incident, SafeguardingConcern

ALTERNATIVE_FORMATS = {CommunicationFormat.EASY_READ, CommunicationFormat.BRAILLE, CommunicationFormat.AUDIO}


def patient_consents(patient: Patient) -> QuerySet[Consent]:
    """Every consent decision of the patient, in the order they took effect (date, then as recorded)."""
    return patient.consents.select_related("recorded_by").order_by("on", "id")


def consents_in_force(patient: Patient, consents: list[Consent] | None = None) -> dict[str, Consent]:
    """The latest decision per scope (by its date, then the order recorded). ``consents``, when the
    caller has read them: ``patient_consents``."""
    latest: dict[str, Consent] = {}
    for consent in patient_consents(patient) if consents is None else consents:
        latest[consent.scope] = consent
    return latest


def latest_consent(patient: Patient, scope: str) -> Consent | None:
    """The patient's latest decision for ``scope`` (by its date, then the order recorded), or None."""
    return patient.consents.filter(scope=scope).order_by("-on", "-id").first()


def consent_given(patient: Patient, scope: str) -> bool:
    """Only a recorded, unwithdrawn consent counts: without one the patient's information is not shared."""
    latest = latest_consent(patient, scope)
    return bool(latest and latest.given)


def communication_needs(patient: Patient) -> CommunicationNeeds:
    """The patient's needs, or the default (standard format, nothing recorded) unsaved."""
    try:
        return patient.communication_needs
    except CommunicationNeeds.DoesNotExist:
        return CommunicationNeeds(patient=patient)


def communication_summary(patient: Patient, needs: CommunicationNeeds | None = None) -> list[str]:
    """The needs as short phrases for banners, cards and booking: empty when there are none. ``needs``,
    when the caller has read them."""
    needs = communication_needs(patient) if needs is None else needs
    items = []
    if patient.interpreter_needed:
        items.append(f"Interpreter needed: {patient.interpreter_language}")
    if needs.format != CommunicationFormat.STANDARD:
        items.append(f"Letters in {needs.get_format_display().lower()}")
    for flag, label in (
        ("hearing_impairment", "Hearing impairment"),
        ("visual_impairment", "Visual impairment"),
        ("learning_disability", "Learning disability"),
    ):
        if getattr(needs, flag):
            items.append(label)
    if needs.needs:
        items.append(needs.needs)
    return items


def concerns_visible_to(user) -> QuerySet[SafeguardingConcern]:
    if not may_read_clinical(user):
        return SafeguardingConcern.objects.none()
    # Through the join, not a subquery of visible episodes: every patient page's banner counts these.
    return SafeguardingConcern.objects.filter(episode_visible_through(user))


def open_concerns_for_patient(user, patient: Patient) -> QuerySet[SafeguardingConcern]:
    return concerns_visible_to(user).filter(episode__patient=patient, closed_on__isnull=True)


def withdrawn_sharing(patient: Patient, consents: list[Consent] | None = None) -> list[str]:
    """The kinds of sharing the patient has declined or withdrawn, for the banner."""
    in_force = consents_in_force(patient, consents)
    return [Consent.Scope(scope).label.lower() for scope, consent in in_force.items() if not consent.given]


def _counts(queryset, group: str) -> dict[str, int]:
    return {row[group]: row["n"] for row in queryset.values(group).annotate(n=Count("id")).order_by(group)}


def safety_counts(episode_q: Q, start: date, end: date) -> dict:
    """A month's counts without identifiers (the commissioner's report): safeguarding concerns raised by
    subject and category, referred to the local authority and open at month end; significant events by kind.

    ``episode_q`` selects the episodes in scope, with the ``episode__`` prefix.
    """
    concerns = SafeguardingConcern.objects.filter(episode_q)
    raised = concerns.filter(raised_on__gte=start, raised_on__lte=end)
    by_subject, by_category = _counts(raised, "subject"), _counts(raised, "category")
    incidents = _counts(Incident.objects.filter(episode_q, on__gte=start, on__lte=end), "kind")
    return {
        "safeguarding": {
            "raised": sum(by_subject.values()),
            "by_subject": {s: by_subject.get(s, 0) for s in SafeguardingConcern.Subject.values},
            "by_category": {c: by_category.get(c, 0) for c in SafeguardingConcern.Category.values},
            "referred_to_local_authority": concerns.filter(
                referred_to_local_authority_on__gte=start, referred_to_local_authority_on__lte=end
            ).count(),
            "open_at_month_end": concerns.filter(raised_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
            .count(),
        },
        "incidents": {k: incidents.get(k, 0) for k in Incident.Kind.values},
    }


def lead_open_concerns(user) -> dict | None:
    """The count on the service lead's home: safeguarding concerns still open."""
    if not has_role(user, Role.SERVICE_LEAD):
        return None
    count = concerns_visible_to(user).filter(closed_on__isnull=True).count()
    return {"label": "Open safeguarding concerns", "count": count, "href": "/safeguarding/"}
