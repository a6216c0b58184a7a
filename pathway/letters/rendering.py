"""Letters as PDFs: the facts a letter states, gathered from the database, through HTML to WeasyPrint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from pathway.episode_dates import reengagement_window_ends
from pathway.letters.hooks import LETTER_CONTEXT
from pathway.models import Episode, Letter, LetterKind
from pathway.rules import rule

logger = logging.getLogger(__name__)

NONE_RECORDED = "None recorded"

TEMPLATES = {kind: f"letters/{kind}.html" for kind in LetterKind.values}


class LetterRenderError(Exception):
    """The letter's template or PDF engine failed; the letter must not go out."""


@dataclass(frozen=True)
class Signatory:
    name: str
    job_title: str
    registration: str


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return parse_date(value[:10])
        except ValueError:
            return None
    return None


def _signatory(user) -> Signatory | None:
    if user is None:
        return None
    profile = getattr(user, "profile", None)
    return Signatory(
        name=user.get_full_name() or user.get_username(),
        job_title=getattr(profile, "job_title", "") or "",
        registration=getattr(profile, "professional_registration", "") or "",
    )


def _as_lines(items: Any) -> list[str]:
    """Care plan sections are lists of strings or of small dicts; show each as one line."""
    if not items:
        return []
    if isinstance(items, str):
        return [items]
    lines = []
    for item in items:
        if isinstance(item, dict):
            parts = [str(v) for v in item.values() if v not in (None, "")]
            lines.append(", ".join(parts))
        else:
            lines.append(str(item))
    return [line for line in lines if line]


# What a feature app states in letters about an episode (its care plan, medication, discharge
# record), keyed by the context names the letter templates use. Apps register a provider in their
# AppConfig.ready(), so the core renders every letter without importing the apps built on it.
LetterFacts = Callable[[Episode], dict[str, Any]]
LETTER_FACTS: list[LetterFacts] = []
# The facts every letter template may read, as they are when no app states them.
NO_FACTS: dict[str, Any] = {
    "care_plan": None,
    "medications": [],
    "discharge_record": None,
    "pain_problem": None,
    "risk_findings": None,
    "prom_change": [],
}


def register_letter_facts(provider: LetterFacts) -> None:
    if provider not in LETTER_FACTS:
        LETTER_FACTS.append(provider)


def episode_facts(episode: Episode) -> dict[str, Any]:
    facts = dict(NO_FACTS)
    for provider in LETTER_FACTS:
        facts.update(provider(episode))
    return facts


def _discharge_facts(letter: Letter, discharge) -> dict[str, Any]:
    """The discharge row is the record; the letter's content fills in what the row lacks."""
    content = letter.content or {}

    def pick(field: str):
        value = getattr(discharge, field, None) if discharge is not None else None
        if value in (None, ""):
            value = content.get(field)
        return value

    reason = pick("reason")
    from pathway.models import DischargeReason

    reason_label = DischargeReason(reason).label if reason in DischargeReason.values else (reason or "")
    discharged_on = _date(pick("date")) or letter.episode.discharged_on
    return {
        "date": discharged_on,
        "support_plan": pick("support_plan"),
        "reengage_until": _date(content.get("reengage_until"))
        or (reengagement_window_ends(discharged_on) if discharged_on else None),
        "reason": reason_label,
        "summary": pick("summary"),
        "medication_changes": pick("medication_changes"),
        "adverse_reactions": pick("adverse_reactions"),
        "gp_actions": pick("gp_actions"),
        "treatment_exhausted": bool(pick("treatment_exhausted")),
        "onward_referral": pick("onward_referral"),
    }


def letter_context(letter: Letter, *, today: date | None = None) -> dict[str, Any]:
    episode = letter.episode
    patient = episode.patient
    practice = letter.practice or episode.practice
    source = letter.copy_of or letter
    body_kind = source.kind if letter.copy_of_id else letter.kind
    facts = episode_facts(episode)
    discharge = facts.pop("discharge_record")
    clinician = episode.responsible_clinician or (discharge.clinician if discharge else None)
    approved_by = letter.approved_by or (source.approved_by if source is not letter else None)
    signed_by = approved_by or clinician
    letter_date = timezone.localtime(letter.approved_at).date() if letter.approved_at else today
    content = dict(source.content or {})
    content.update(letter.content or {})
    if letter.kind == LetterKind.PATIENT_COPY:
        address_name = patient.full_name
        address_lines = [line for line in (patient.address or "").splitlines() if line.strip()]
        address_postcode = patient.postcode
    else:
        address_name = practice.name if practice else ""
        address_lines = [line for line in (practice.address or "").splitlines() if line.strip()] if practice else []
        address_postcode = practice.postcode if practice else ""
    context = {
        "letter": letter,
        "kind": body_kind,
        "kind_label": LetterKind(body_kind).label,
        "is_patient_copy": letter.kind == LetterKind.PATIENT_COPY,
        "body_template": f"letters/body/{body_kind}.html",
        "service_name": settings.SERVICE_NAME,
        "letter_date": letter_date,
        "reference": f"{episode.reference}/L{letter.pk}",
        "patient": patient,
        "nhs_number": patient.nhs_number_display,
        "episode": episode,
        "practice": practice,
        "address": {"name": address_name, "lines": address_lines, "postcode": address_postcode},
        "content": content,
        **facts,
        "ome_total": episode.ome_total_mg_per_day,
        "ome_threshold": rule("ome_alert_threshold_mg"),
        "ome_at_threshold": episode.ome_total_mg_per_day >= rule("ome_alert_threshold_mg"),
        "spa_contact": getattr(settings, "SPA_CONTACT", ""),
        "clinician": _signatory(clinician),
        "signatory": _signatory(signed_by),
        "approved": letter.approved_at is not None,
        "approved_at": letter.approved_at,
        "none": NONE_RECORDED,
    }
    if body_kind == LetterKind.CARE_PLAN:
        context["body_template"] = "letters/body/care_plan_letter.html"
    if body_kind == LetterKind.DISCHARGE:
        context["discharge"] = _discharge_facts(source, discharge)
    if body_kind == LetterKind.EXTENSION:
        context["extension_until"] = _date(content.get("until"))
    if body_kind == LetterKind.OPIOID_ALERT:
        context["alert_lines"] = _as_lines(content.get("lines"))
    for hook in LETTER_CONTEXT:
        hook(letter, context)
    return context


def letter_html(letter: Letter, *, today: date | None = None) -> str:
    template = TEMPLATES.get(letter.kind)
    if template is None:
        raise LetterRenderError(f"There is no template for letters of kind '{letter.kind}'.")
    try:
        return render_to_string(template, letter_context(letter, today=today))
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        raise LetterRenderError(f"The letter template could not be used: {exc}") from exc


def letter_pdf(letter: Letter, *, today: date | None = None) -> bytes:
    """The letter as PDF bytes. Raises LetterRenderError when the template or WeasyPrint fails."""
    import weasyprint

    html = letter_html(letter, today=today)
    try:
        return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    except Exception as exc:
        logger.exception("letter %s could not be rendered", letter.pk)
        raise LetterRenderError(f"The PDF could not be produced: {type(exc).__name__}") from exc
