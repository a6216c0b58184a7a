"""Significant events: recorded against an episode, reviewed by the service lead.

A death closes the episode (discharge with reason ``died`` through the core state machine, so the
GP gets the discharge letter) and stops everything addressed to the patient: pending PROM links and
letters to the patient and their carers are cancelled. Those steps belong to the apps that own them;
they run through the core's registry, in its order (``pathway/patient_death.py``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from pathway.errors import DomainError, InvalidInput
from pathway.models import Episode, PathwayEvent, Patient
from pathway.patient_death import patient_death_handlers_run
from pathway.services import episode_lock, event_record

from ..models import Incident
from .checks import check_choice, check_date, check_text


@transaction.atomic
def incident_record(
    *,
    episode: Episode,
    kind: str,
    severity: str | None,
    on: date | None,
    description: str,
    actor,
    action: str = "",
) -> Incident:
    errors: dict[str, list[str]] = {}
    check_choice(errors, "kind", kind, Incident.Kind, "kind of incident")
    if kind == Incident.Kind.DEATH and not severity:
        severity = Incident.Severity.DEATH
    check_choice(errors, "severity", severity, Incident.Severity, "severity")
    if "kind" not in errors and "severity" not in errors:
        if kind == Incident.Kind.DEATH and severity != Incident.Severity.DEATH:
            errors["severity"] = ["A death has the severity 'death'."]
        elif kind != Incident.Kind.DEATH and severity == Incident.Severity.DEATH:
            errors["kind"] = ["An incident in which the patient died is recorded with the kind 'death'."]
    check_date(errors, "on", on, earliest=episode.received_on, what="date of the incident", required=True)
    description = check_text(errors, "description", description, "incident")
    if errors:
        raise InvalidInput(errors)
    locked = episode_lock(episode.pk)
    patient = Patient.objects.select_for_update().get(pk=locked.patient_id)
    if kind == Incident.Kind.DEATH and patient.date_of_death is not None:
        raise DomainError(
            f"The patient's death is already recorded ({patient.date_of_death:%-d %B %Y}).", code="death_recorded"
        )
    incident = Incident.objects.create(
        episode=locked,
        kind=kind,
        severity=severity,
        on=on,
        description=description,
        action=(action or "").strip(),
        recorded_by=actor,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Significant event recorded: {incident.get_kind_display()} ({incident.get_severity_display().lower()})",
        data={"incident": incident.pk},
    )
    if kind == Incident.Kind.DEATH:
        _after_death(locked, patient, on=on, description=description, actor=actor)
    return incident


def _after_death(episode: Episode, patient: Patient, *, on: date, description: str, actor) -> None:
    patient.date_of_death = on
    patient.save(update_fields=["date_of_death"])
    patient_death_handlers_run(episode=episode, patient=patient, on=on, description=description, actor=actor)


@transaction.atomic
def incident_review(*, incident: Incident, actor, note: str) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.reviewed_at is not None:
        raise DomainError("This incident has already been reviewed.", code="incident_reviewed")
    errors: dict[str, list[str]] = {}
    note = check_text(errors, "note", note, "review")
    if errors:
        raise InvalidInput(errors)
    locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, timezone.now(), note
    locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return locked
