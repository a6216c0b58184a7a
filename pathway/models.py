"""Core domain: organisations, staff, patients, episodes and their clocks, deadlines, letters."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .history import field_history
from .validators import validate_nhs_number, validate_ods_code


class Role(models.TextChoices):
    SPA_TRIAGE = "spa_triage", "SPA triage"
    CLINICIAN = "clinician", "Clinician"
    SERVICE_LEAD = "service_lead", "Service lead"
    COMMISSIONER = "commissioner", "Commissioner"
    GP_PRACTICE = "gp_practice", "GP practice"
    ADMIN = "admin", "Administrator"


class Commissioner(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text="ODS code of the ICB / sub-ICB location")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Practice(models.Model):
    ods_code = models.CharField(max_length=10, unique=True, validators=[validate_ods_code])
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    commissioner = models.ForeignKey(Commissioner, on_delete=models.PROTECT, related_name="practices")
    mesh_mailbox = models.CharField(
        max_length=20, blank=True, help_text="MESH mailbox ID; blank means letters are sent by hand"
    )
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class Team(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """Ties a user to the organisation it acts for; the role itself is a Django group."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    commissioner = models.ForeignKey(
        Commissioner, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    job_title = models.CharField(max_length=100, blank=True)
    professional_registration = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not known"

    nhs_number = models.CharField(max_length=10, unique=True, validators=[validate_nhs_number])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    ethnicity = models.CharField(max_length=80, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=60, blank=True)
    veteran = models.BooleanField(default=False)
    date_of_death = models.DateField(
        null=True, blank=True, help_text="Once known, nothing more is sent to the patient (PROM links, letters)"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="patients")
    created_at = models.DateTimeField(auto_now_add=True)
    history = field_history()

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        # Never the name or NHS number: this string may reach logs.
        return f"Patient {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"


class EpisodeState(models.TextChoices):
    TRIAGE = "triage", "Triage"
    INFO_REQUESTED = "info_requested", "Information requested"
    ACCEPTED = "accepted", "Accepted"
    ASSESSMENT = "assessment", "Assessment"
    TREATMENT = "treatment", "Treatment"
    DISCHARGED = "discharged", "Discharged"
    REJECTED = "rejected", "Rejected"
    REDIRECTED = "redirected", "Redirected"


OPEN_STATES = frozenset(
    {
        EpisodeState.TRIAGE,
        EpisodeState.INFO_REQUESTED,
        EpisodeState.ACCEPTED,
        EpisodeState.ASSESSMENT,
        EpisodeState.TREATMENT,
    }
)
CLOSED_STATES = frozenset({EpisodeState.DISCHARGED, EpisodeState.REJECTED, EpisodeState.REDIRECTED})
# States in which the service is caring for the patient (after acceptance, before discharge).
CARE_STATES = (EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT, EpisodeState.TREATMENT)


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Treatment completed"
    DISENGAGED = "disengaged", "Disengaged (did not attend / no contact)"
    LEFT_AREA = "left_area", "Left the area"
    NO_LONGER_APPROPRIATE = "no_longer_appropriate", "No longer appropriate"
    DECLINED = "declined", "Declined further treatment"
    ONWARD_REFERRAL = "onward_referral", "Onward referral"
    DIED = "died", "Died"


class Episode(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="episodes", help_text="Referring practice"
    )
    state = models.CharField(max_length=20, choices=EpisodeState.choices, default=EpisodeState.TRIAGE)
    tier = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes")
    responsible_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_on = models.DateField()
    # The triage queue's order (fast track first, then the triage due date), copied from the
    # referral by the services that set it, so the queue is one index scan of waiting episodes.
    triage_priority = models.PositiveSmallIntegerField(default=2, help_text="0 palliative, 1 urgent, 2 routine")
    triage_due_on = models.DateField(null=True, blank=True)
    admitted_on = models.DateField(null=True, blank=True)
    episode_limit_on = models.DateField(null=True, blank=True, db_index=True)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=30, choices=DischargeReason.choices, blank=True)
    closed_reason = models.TextField(blank=True)
    previous_episode = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reengagements"
    )
    ome_total_mg_per_day = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    ome_first_attendance_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    ome_discharge_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = field_history()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(state__in=sorted(s.value for s in OPEN_STATES)),
                name="one_open_episode_per_patient",
            ),
            models.CheckConstraint(condition=Q(tier__isnull=True) | Q(tier__in=[1, 2, 3]), name="episode_tier_1_to_3"),
        ]
        indexes = [
            models.Index(fields=["state", "received_on"]),
            models.Index(
                fields=["triage_priority", "triage_due_on", "received_on", "id"],
                condition=Q(state=EpisodeState.TRIAGE),
                name="episode_triage_queue",
            ),
            models.Index(fields=["discharged_on"], name="episode_discharged_on"),
            models.Index(fields=["admitted_on"], name="episode_admitted_on"),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def reference(self) -> str:
        return Episode.reference_of(self.pk)

    @staticmethod
    def reference_of(pk: int) -> str:
        """The reference of the episode with this id, for rows read as plain values."""
        return f"EP{pk:07d}"


class PathwayEvent(models.Model):
    """Append-only audit trail and patient timeline."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "State change"
        TIER = "tier", "Tier change"
        RTT = "rtt", "RTT clock"
        DEADLINE = "deadline", "Deadline"
        LETTER = "letter", "Letter"
        APPOINTMENT = "appointment", "Appointment"
        CLINICAL = "clinical", "Clinical record"
        PROM = "prom", "PROM"
        NOTE = "note", "Note"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSITION)
    old_state = models.CharField(max_length=20, blank=True)
    new_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Pathway events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Pathway events are append-only.")


class RttPeriod(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="rtt_periods")
    clock_start = models.DateField()
    clock_stop = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=100, blank=True)
    status_code = models.CharField(max_length=2, default="10")
    nullified = models.BooleanField(default=False, help_text="DNA of the first appointment")
    ubrn = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["clock_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(clock_stop__isnull=True), name="one_running_rtt_clock"
            )
        ]
        indexes = [
            # The PTL's order (longest wait first) read straight from the index of running clocks.
            models.Index(fields=["clock_start", "id"], condition=Q(clock_stop__isnull=True), name="rtt_open_start_id"),
            # Clocks stopped after a month end were still running at it (the RTT KPI's snapshot).
            models.Index(fields=["clock_stop"], name="rtt_clock_stop"),
        ]

    def __str__(self) -> str:
        return f"RTT period {self.pk}"


class DeadlineKind(models.TextChoices):
    TRIAGE = "triage", "SPA triage"
    RTT = "rtt", "RTT 18 weeks"
    MDT_REVIEW = "mdt_review", "MDT review"
    EPISODE_LIMIT = "episode_limit", "Nine-month episode limit"
    DISCHARGE_LETTER = "discharge_letter", "Discharge letter"
    MEDICATION_REVIEW = "medication_review", "Medication review"
    PRESCRIBING_ADVICE = "prescribing_advice", "Prescribing advice letter"
    OPIOID_ALERT = "opioid_alert", "GP opioid alert letter"
    MENTAL_HEALTH_REFERRAL = "mental_health_referral", "Urgent mental-health referral"
    PROM = "prom", "PROM return"
    MDS_SUBMISSION = "mds_submission", "Monthly data set submission"
    DISCHARGE_PLAN = "discharge_plan", "Discharge plan (extension declined)"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_on__isnull=True, cancelled_on__isnull=True)

    def come_due(self, today):
        """Open rows whose due date has passed and that are not yet marked breached."""
        return self.open().filter(breached_on__isnull=True, due_on__lt=today)


class Deadline(models.Model):
    """One clock of the service. ``due_on`` is the last day in time; the day after it is a breach."""

    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    subject = models.CharField(
        max_length=60, blank=True, help_text="What the deadline is about within the episode, e.g. letter:12"
    )
    started_on = models.DateField()
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)
    breached_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "episode", "subject"],
                condition=Q(met_on__isnull=True, cancelled_on__isnull=True),
                name="one_open_deadline_per_subject",
            )
        ]
        indexes = [
            # The triage queue's count of referrals not yet due whose deadline is already marked
            # breached: a handful of rows, however many referrals wait.
            models.Index(
                fields=["episode"],
                condition=Q(
                    kind=DeadlineKind.TRIAGE, breached_on__isnull=False, met_on__isnull=True, cancelled_on__isnull=True
                ),
                name="deadline_triage_breached",
            ),
            models.Index(
                fields=["due_on"],
                condition=Q(met_on__isnull=True, cancelled_on__isnull=True, breached_on__isnull=True),
                name="deadline_open_due",
            ),
            models.Index(fields=["kind", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.met_on is None and self.cancelled_on is None


class LetterKind(models.TextChoices):
    DISCHARGE = "discharge", "Discharge letter"
    TRIAGE_OUTCOME = "triage_outcome", "Triage outcome"
    EXTENSION = "extension", "Nine-month extension"
    OPIOID_ALERT = "opioid_alert", "Opioid alert"
    PRESCRIBING_ADVICE = "prescribing_advice", "Prescribing advice"
    PATIENT_COPY = "patient_copy", "Patient copy"
    CARER_COPY = "carer_copy", "Carer copy"
    INFO_REQUEST = "info_request", "Request for information"
    CARE_PLAN = "care_plan", "Care plan"


class LetterState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    FAILED = "failed", "Failed"
    MANUAL = "manual", "Needs manual sending"
    CANCELLED = "cancelled", "Cancelled"


class Letter(models.Model):
    class Recipient(models.TextChoices):
        GP = "gp", "GP practice"
        PATIENT = "patient", "Patient"
        CARER = "carer", "Carer or representative"

    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="letters")
    recipient = models.CharField(max_length=10, choices=Recipient.choices, default=Recipient.GP)
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    state = models.CharField(max_length=20, choices=LetterState.choices, default=LetterState.DRAFT)
    due_on = models.DateField(null=True, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="The facts the letter states")
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When someone at the practice first opened it: the practice's letters inbox marks the rest unread.
    practice_read_at = models.DateTimeField(null=True, blank=True)
    mesh_message_id = models.CharField(max_length=100, blank=True)
    mesh_local_id = models.CharField(
        max_length=64, blank=True, help_text="Our reference sent as MESH local ID; finds the message after a crash"
    )
    mesh_mailbox = models.CharField(max_length=20, blank=True, help_text="Recipient mailbox the letter went to")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    copy_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies", help_text="Patient copy of"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = field_history(excluded_fields=["pdf"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            # The prescribing-advice KPI and the data set's advice columns: a few letters among a
            # million discharge and triage letters, found without reading them all.
            models.Index(
                fields=["episode"], condition=Q(kind=LetterKind.PRESCRIBING_ADVICE), name="letter_prescribing_advice"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mesh_message_id"], condition=~Q(mesh_message_id=""), name="unique_mesh_message_id"
            ),
            models.UniqueConstraint(
                fields=["mesh_local_id"], condition=~Q(mesh_local_id=""), name="unique_mesh_local_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


# The access audit and identity reconciliation live in their own module (one noun each).
from .governance_models import BreakGlass, DemographicsReconciliation, RecordAccess  # noqa: E402, F401
