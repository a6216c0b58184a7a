"""Every write of referral intake: new referrals, attachments and re-engagement through the SPA."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from pathway import services as core
from pathway.access import has_role, user_practice_id
from pathway.calendar import add_working_days
from pathway.demographics import demographics_differences, reconciliation_open
from pathway.episode_dates import reengagement_window_ends
from pathway.errors import InvalidInput, OpenEpisodeExists
from pathway.models import OPEN_STATES, DeadlineKind, Episode, EpisodeState, Patient, Practice, Role
from pathway.rules import rule
from pathway.validators import EARLIEST_BIRTH_DATE, normalise_nhs_number, validate_nhs_number

from .models import (
    EXCLUDED_CONDITIONS,
    FAST_TRACK_REFERRERS,
    RED_FLAGS,
    TRIAGE_PRIORITY,
    Referral,
    ReferralAttachment,
    ReferrerType,
    Urgency,
)

logger = logging.getLogger(__name__)

REQUIRED = {
    "nhs_number": "Enter the patient's NHS number.",
    "given_name": "Enter the patient's first name.",
    "family_name": "Enter the patient's last name.",
    "date_of_birth": "Enter the patient's date of birth.",
    "sex": "Select the patient's sex.",
    "practice_ods": "Enter the referring practice's ODS code.",
    "pain_site": "Enter the site of the pain.",
    "duration_months": "Enter how many months the pain has lasted.",
}

PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "ethnicity",
    "interpreter_needed",
    "interpreter_language",
    "veteran",
)
REFERRAL_TEXT_FIELDS = (
    "referrer_name",
    "pain_nature",
    "impact",
    "previous_treatments",
    "medical_history",
    "medications",
    "needs_vulnerabilities",
    "risks",
    "reason",
)

# A sanity bound on a typed date of birth, not a rule of the service.
OLDEST_AGE_YEARS = 130
# A referral entered today was received within this many years, and its UBRN converted within this many days
# before that.
OLDEST_REFERRAL_YEARS = 10
UBRN_CONVERSION_MAX_DAYS = 365

# The first bytes of each accepted file type: the declared type alone is not trusted.
MAGIC_BYTES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def is_practice_bound(user) -> bool:
    """A GP practice user refers only for its own practice; SPA staff refer for any."""
    if user is None or getattr(user, "is_superuser", False):
        return False
    return has_role(user, Role.GP_PRACTICE) and not has_role(user, Role.SPA_TRIAGE, Role.SERVICE_LEAD)


def triage_working_days(urgency: str = Urgency.ROUTINE) -> int:
    """Working days to triage: the palliative fast track has its own, shorter limit."""
    if urgency == Urgency.PALLIATIVE:
        return rule("fast_track_triage_working_days")
    return rule("triage_working_days")


def triage_due_on(received_on: date, urgency: str = Urgency.ROUTINE) -> date:
    return add_working_days(received_on, triage_working_days(urgency))


FAST_TRACK_MESSAGE = (
    "The palliative fast track is only for referrals from an oncologist or a palliative-care consultant."
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def attachment_errors(files: Iterable[UploadedFile]) -> list[str]:
    """Plain messages for every attachment that is too big or not really of an accepted type."""
    messages = []
    max_bytes = rule("attachment_max_bytes")
    allowed = list(rule("attachment_content_types"))
    for upload in files:
        name = upload.name or "attachment"
        if upload.size is None or upload.size > max_bytes:
            messages.append(f"{name} is larger than {max_bytes // (1024 * 1024) or max_bytes} MB.")
            continue
        declared = (upload.content_type or "").split(";")[0].strip().lower()
        if declared not in allowed:
            messages.append(f"{name} must be a PDF, JPEG or PNG file.")
            continue
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in MAGIC_BYTES.get(declared, ())):
            messages.append(f"{name} is not really a {declared.split('/')[-1].upper()} file.")
    return messages


def referral_validate(*, data: dict[str, Any], actor=None, today: date, attachments=()) -> dict[str, Any]:
    """Check every rule of a referral; return cleaned values or raise InvalidInput naming every bad field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, message in REQUIRED.items():
        if _blank(data.get(field)):
            _add(errors, field, message)

    if not _blank(data.get("nhs_number")):
        digits = normalise_nhs_number(data["nhs_number"])
        try:
            validate_nhs_number(digits)
            clean["nhs_number"] = digits
        except ValidationError as exc:
            _add(errors, "nhs_number", exc.messages[0])

    received_on = data.get("received_on") or today
    clean["received_on"] = received_on
    if received_on > today:
        _add(errors, "received_on", "The date received cannot be in the future.")
    elif received_on < today - relativedelta(years=OLDEST_REFERRAL_YEARS):
        _add(errors, "received_on", f"The date received cannot be more than {OLDEST_REFERRAL_YEARS} years ago.")

    dob = data.get("date_of_birth")
    if dob:
        if dob > today:
            _add(errors, "date_of_birth", "The date of birth cannot be in the future.")
        elif dob < EARLIEST_BIRTH_DATE:
            _add(errors, "date_of_birth", f"The date of birth cannot be before {EARLIEST_BIRTH_DATE:%-d %B %Y}.")
        elif age_on(dob, received_on) > OLDEST_AGE_YEARS:
            _add(
                errors, "date_of_birth", f"The date of birth would make the patient over {OLDEST_AGE_YEARS}: check it."
            )
        elif age_on(dob, received_on) < rule("min_age_years"):
            _add(
                errors,
                "date_of_birth",
                f"The patient must be {rule('min_age_years')} or over on the date the referral was received.",
            )

    if not _blank(data.get("sex")) and data["sex"] not in Patient.Sex.values:
        _add(errors, "sex", f"Sex must be one of: {', '.join(Patient.Sex.values)}.")

    ods = (data.get("practice_ods") or "").strip().upper()
    if ods:
        practice = Practice.objects.filter(ods_code=ods).first()
        if practice is None:
            _add(errors, "practice_ods", f"No practice has the ODS code {ods}.")
        else:
            if is_practice_bound(actor) and user_practice_id(actor) != practice.pk:
                _add(errors, "practice_ods", "You can only refer patients from your own practice.")
            clean["practice"] = practice

    duration = data.get("duration_months")
    if duration is not None and not _blank(duration) and (not isinstance(duration, int) or duration < 0):
        _add(errors, "duration_months", "Enter the duration as a whole number of months.")

    urgency = data.get("urgency") or Urgency.ROUTINE
    referrer_type = data.get("referrer_type") or ReferrerType.GP
    if urgency not in Urgency.values:
        _add(errors, "urgency", f"Urgency must be one of: {', '.join(Urgency.values)}.")
    if referrer_type not in ReferrerType.values:
        _add(errors, "referrer_type", f"Referrer type must be one of: {', '.join(ReferrerType.values)}.")
    elif urgency == Urgency.PALLIATIVE and referrer_type not in FAST_TRACK_REFERRERS:
        _add(errors, "urgency", FAST_TRACK_MESSAGE)
    clean["urgency"], clean["referrer_type"] = urgency, referrer_type

    flags = data.get("red_flags") or []
    unknown = [flag for flag in flags if flag not in RED_FLAGS]
    if unknown:
        _add(errors, "red_flags", f"Unknown red flag: {', '.join(map(str, unknown))}.")
    clean["red_flags"] = list(dict.fromkeys(flags))

    excluded = data.get("excluded_conditions") or []
    unknown = [code for code in excluded if code not in EXCLUDED_CONDITIONS]
    if unknown:
        _add(
            errors,
            "excluded_conditions",
            f"Unknown condition: {', '.join(map(str, unknown))}. Choose from: {', '.join(EXCLUDED_CONDITIONS)}.",
        )
    clean["excluded_conditions"] = list(dict.fromkeys(excluded))
    clean["acute_mental_health"] = bool(data.get("acute_mental_health"))

    ubrn = re.sub(r"\s", "", data.get("ubrn") or "")
    converted = data.get("ubrn_converted_on")
    if ubrn and not re.fullmatch(r"\d{12}", ubrn):
        _add(errors, "ubrn", "An e-RS UBRN has 12 digits.")
    if converted and not ubrn:
        _add(errors, "ubrn", "Enter the UBRN that was converted.")
    if converted and converted > received_on:
        _add(errors, "ubrn_converted_on", "The UBRN conversion date cannot be after the date received.")
    elif converted and converted < received_on - timedelta(days=UBRN_CONVERSION_MAX_DAYS):
        # The RTT clock starts on this date: a year-1 date made a PTL wait of 739,951 days.
        _add(
            errors,
            "ubrn_converted_on",
            f"The UBRN conversion date cannot be more than {UBRN_CONVERSION_MAX_DAYS} days before the date received.",
        )
    clean["ubrn"], clean["ubrn_converted_on"] = ubrn, converted

    messages = attachment_errors(attachments)
    if messages:
        errors["attachments"] = messages

    if errors:
        raise InvalidInput(errors)
    for field in PATIENT_FIELDS + REFERRAL_TEXT_FIELDS + ("pain_site", "duration_months"):
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip()
        clean[field] = value
    return clean


def _patient_find_or_create(clean: dict[str, Any]) -> tuple[Patient, tuple[dict, dict]]:
    """Find the patient by NHS number or create them. A known patient's record is never changed by a
    referral: the demographics it disagrees on come back (record's, referral's) for reconciliation."""
    patient = (
        Patient.objects.select_for_update().select_related("practice").filter(nhs_number=clean["nhs_number"]).first()
    )
    values = {f: clean[f] for f in PATIENT_FIELDS if clean.get(f) is not None}
    for flag in ("interpreter_needed", "veteran"):
        values[flag] = bool(clean.get(flag))
    for text in ("address", "postcode", "phone", "ethnicity", "interpreter_language"):
        values[text] = (values.get(text) or "").strip()
    values["postcode"] = values["postcode"].upper()
    values["practice"] = clean["practice"]
    if patient is None:
        return Patient.objects.create(nhs_number=clean["nhs_number"], **values), ({}, {})
    return patient, demographics_differences(patient, values)


def _attachments_save(referral: Referral, files: Iterable[UploadedFile]) -> None:
    for upload in files:
        upload.seek(0)
        ReferralAttachment.objects.create(
            referral=referral,
            file=upload,
            original_name=(upload.name or "attachment")[:200],
            content_type=(upload.content_type or "").split(";")[0].strip().lower(),
            size=upload.size,
        )


def _referral_record(
    *, episode: Episode, patient: Patient, practice: Practice, clean: dict[str, Any], actor, source: str
) -> Referral:
    due = triage_due_on(clean["received_on"], clean["urgency"])
    referral = Referral.objects.create(
        episode=episode,
        patient=patient,
        practice=practice,
        source=source,
        received_on=clean["received_on"],
        ubrn=clean.get("ubrn") or "",
        ubrn_converted_on=clean.get("ubrn_converted_on"),
        urgency=clean["urgency"],
        referrer_type=clean.get("referrer_type") or ReferrerType.GP,
        pain_site=clean["pain_site"],
        duration_months=clean["duration_months"],
        red_flags=clean["red_flags"],
        excluded_conditions=clean.get("excluded_conditions") or [],
        acute_mental_health=bool(clean.get("acute_mental_health")),
        triage_due_on=due,
        created_by=actor,
        **{f: clean.get(f) or "" for f in REFERRAL_TEXT_FIELDS},
    )
    episode.triage_priority, episode.triage_due_on = TRIAGE_PRIORITY[referral.urgency], due
    Episode.objects.filter(pk=episode.pk).update(triage_priority=episode.triage_priority, triage_due_on=due)
    core.deadline_create(kind=DeadlineKind.TRIAGE, episode=episode, started_on=clean["received_on"], due_on=due)
    return referral


@transaction.atomic
def referral_create(
    *, data: dict[str, Any], actor=None, source: str = Referral.Source.WEB, attachments: Iterable[UploadedFile] = ()
) -> Referral:
    """Receive a referral: validate it, find or create the patient, open the episode in triage,
    start the RTT clock and the triage deadline. Nothing is written when any rule fails."""
    attachments = list(attachments)
    clean = referral_validate(data=data, actor=actor, today=core.today_london(), attachments=attachments)
    patient, (current, proposed) = _patient_find_or_create(clean)
    if data.get("communication_format"):
        # Communication needs follow the patient from the referral onwards (a bad format: 400, nothing written).
        from safeguarding.services import communication_needs_update

        communication_needs_update(patient=patient, actor=actor, communication_format=data["communication_format"])
    episode = core.episode_open(
        patient=patient,
        practice=clean["practice"],
        received_on=clean["received_on"],
        actor=actor,
        clock_start=clean.get("ubrn_converted_on") or clean["received_on"],
        ubrn=clean.get("ubrn") or "",
        reason="Referral received",
    )
    referral = _referral_record(
        episode=episode, patient=patient, practice=clean["practice"], clean=clean, actor=actor, source=source
    )
    _attachments_save(referral, attachments)
    if proposed:
        reconciliation_open(patient=patient, episode=episode, current=current, proposed=proposed)
    logger.info("referral %s received for episode %s (source %s)", referral.pk, episode.pk, source)
    return referral


@transaction.atomic
def referral_reengage(
    *,
    nhs_number: str,
    actor=None,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    received_on: date | None = None,
    red_flags: list[str] | None = None,
) -> Referral:
    """Re-refer a recently discharged patient through the SPA, without a new GP referral.

    The new episode links to the discharged one and starts a new RTT clock.
    """
    today = core.today_london()
    received_on = received_on or today
    errors: dict[str, list[str]] = {}
    digits = normalise_nhs_number(nhs_number)
    patient = Patient.objects.filter(nhs_number=digits).first() if digits else None
    if patient is None:
        _add(errors, "nhs_number", "No patient with this NHS number has been seen by the service.")
    if _blank(reason):
        _add(errors, "reason", "Enter why the patient is re-engaging with the service.")
    if received_on > today:
        _add(errors, "received_on", "The date received cannot be in the future.")
    if urgency not in Urgency.values:
        _add(errors, "urgency", f"Urgency must be one of: {', '.join(Urgency.values)}.")
    elif urgency == Urgency.PALLIATIVE:
        # Re-engagement comes from the patient through the SPA, not from an oncologist or palliative-care consultant.
        _add(errors, "urgency", FAST_TRACK_MESSAGE)
    unknown = [flag for flag in red_flags or [] if flag not in RED_FLAGS]
    if unknown:
        _add(errors, "red_flags", f"Unknown red flag: {', '.join(map(str, unknown))}.")
    if errors:
        raise InvalidInput(errors)
    if patient.episodes.filter(state__in=[s.value for s in OPEN_STATES]).exists():
        raise OpenEpisodeExists("The patient already has an open episode.")
    last = patient.episodes.filter(state=EpisodeState.DISCHARGED).order_by("-discharged_on", "-id").first()
    if last is None or last.discharged_on is None:
        raise InvalidInput(
            {"nhs_number": ["The patient has not been discharged by the service, so a GP referral is needed."]}
        )
    if received_on < last.discharged_on:
        raise InvalidInput(
            {"received_on": [f"The date received cannot be before the discharge on {last.discharged_on:%d %B %Y}."]}
        )
    ends = reengagement_window_ends(last.discharged_on)
    if received_on > ends:
        raise InvalidInput(
            {
                "nhs_number": [
                    f"The patient was discharged on {last.discharged_on:%d %B %Y}, more than "
                    f"{rule('reengagement_months')} months ago (the window closed on {ends:%d %B %Y}). "
                    "A new GP referral is needed."
                ]
            }
        )
    previous = getattr(last, "referral", None)
    episode = core.episode_open(
        patient=patient,
        practice=patient.practice,
        received_on=received_on,
        actor=actor,
        previous_episode=last,
        reason="Re-engagement through the SPA",
    )
    clean = {
        "received_on": received_on,
        "urgency": urgency,
        "red_flags": list(dict.fromkeys(red_flags or [])),
        "pain_site": previous.pain_site if previous else "Not recorded",
        "duration_months": previous.duration_months if previous else 0,
        "reason": reason.strip(),
    }
    if previous:
        for field in REFERRAL_TEXT_FIELDS:
            if field != "reason":
                clean[field] = getattr(previous, field)
    referral = _referral_record(
        episode=episode,
        patient=patient,
        practice=patient.practice,
        clean=clean,
        actor=actor,
        source=Referral.Source.REENGAGEMENT,
    )
    logger.info("re-engagement referral %s for episode %s (previous %s)", referral.pk, episode.pk, last.pk)
    return referral
