"""Clinical care: appointments, assessment, care plans, MDT, medications, extensions, discharge."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pathway.history import field_history
from pathway.models import DischargeReason, Episode, RttPeriod


class GroupSession(models.Model):
    """A PMP or other group session with a register of 8-12 places."""

    name = models.CharField(max_length=120)
    date = models.DateField()
    capacity = models.PositiveSmallIntegerField(default=12)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]


class Appointment(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", "New"
        REVIEW = "review", "Review"
        GROUP = "group", "Group session"

    class Mode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"

    class Outcome(models.TextChoices):
        ATTENDED = "attended", "Attended"
        DNA = "dna", "Did not attend"
        PATIENT_CANCELLED = "patient_cancelled", "Cancelled by patient"
        SERVICE_CANCELLED = "service_cancelled", "Cancelled by service"

    # The one definition of a cancelled appointment: it holds no place and counts as no contact.
    CANCELLED = (Outcome.PATIENT_CANCELLED, Outcome.SERVICE_CANCELLED)

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField(db_index=True)
    time = models.TimeField(null=True, blank=True)
    mode = models.CharField(max_length=15, choices=Mode.choices, default=Mode.FACE_TO_FACE)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    group_session = models.ForeignKey(
        GroupSession, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dna_decision = models.CharField(max_length=20, blank=True, help_text="rebook, contact or discharge")
    dna_decision_reason = models.TextField(blank=True)
    dna_decided_at = models.DateTimeField(null=True, blank=True)
    booked_on = models.DateField(null=True, blank=True, help_text="The date the appointment was booked")
    rtt_period = models.ForeignKey(
        RttPeriod,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
        help_text="The RTT period running when the appointment was booked",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class DnaDecision(models.TextChoices):
        REBOOK = "rebook", "Rebook"
        CONTACT = "contact", "Contact the patient"
        DISCHARGE = "discharge", "Discharge as disengaged"

    class Meta:
        ordering = ["date", "time", "id"]
        indexes = [models.Index(fields=["episode", "kind", "outcome"])]


class Assessment(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    biological = models.TextField(blank=True)
    psychological = models.TextField(blank=True)
    social = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    suicide_risk = models.BooleanField(default=False)
    alcohol_misuse = models.BooleanField(default=False)
    drug_misuse = models.BooleanField(default=False)
    risk_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "id"]


class CarePlan(models.Model):
    """The written personalised care plan; each revision is a new version."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="care_plans")
    version = models.PositiveIntegerField()
    goals = models.JSONField(default=list, blank=True, help_text="[{'goal': str, 'review_on': date}]")
    education = models.JSONField(default=list, blank=True)
    therapies = models.JSONField(default=list, blank=True)
    clinical = models.JSONField(default=list, blank=True)
    interventions = models.JSONField(default=list, blank=True)
    flare_up_plan = models.TextField(blank=True)
    emergency_plan = models.TextField(blank=True)
    shared_with_patient = models.BooleanField(default=False)
    shared_with_gp = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = field_history()

    class Meta:
        ordering = ["episode", "-version"]
        constraints = [models.UniqueConstraint(fields=["episode", "version"], name="one_care_plan_version")]


class TreatmentStart(models.Model):
    class Kind(models.TextChoices):
        INTERVENTION = "intervention", "Intervention"
        THERAPY = "therapy", "Start of a therapy"
        PMP = "pmp", "Pain management programme"
        MEDICATION = "medication", "Medication change by the service"
        EDUCATION = "education", "Education"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="treatment_starts")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class MdtReview(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="mdt_reviews")
    reviewed_on = models.DateField()
    decision = models.TextField()
    tier_before = models.PositiveSmallIntegerField(null=True, blank=True)
    tier_after = models.PositiveSmallIntegerField(null=True, blank=True)
    # Stand-alone interventions (e.g. infrequent injections, no other active treatment) are
    # repatriated to the community tier 2 service, with the onward referral recorded.
    standalone_intervention = models.BooleanField(
        default=False, help_text="At the review the care plan held interventions and no other active treatment"
    )
    repatriate_to_tier2 = models.BooleanField(default=False)
    onward_referral = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class OmeFactorTable(models.Model):
    """A versioned table of oral morphine equivalence factors."""

    version = models.CharField(max_length=20, unique=True)
    effective_from = models.DateField()
    factors = models.JSONField(help_text="{drug: {route: factor}}")

    class Meta:
        ordering = ["-effective_from"]


class MedicationLine(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="medications")
    drug = models.CharField(max_length=40)
    route = models.CharField(max_length=20)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    doses_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    patch_mcg_per_hour = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    ome_mg_per_day = models.DecimalField(max_digits=8, decimal_places=2)
    factor = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    factor_version = models.CharField(max_length=20, blank=True)
    clinician_ome_entry = models.BooleanField(default=False, help_text="OME entered by a clinician (e.g. methadone)")
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField()
    prescribed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = field_history()

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["episode"], condition=Q(stopped_on__isnull=True), name="medication_current")]


class Extension(models.Model):
    """Past nine months an episode needs an extension with a clinical rationale, requested by the
    service and agreed (``approved_*``) or declined by a commissioner user of the patient's
    commissioner. Only an agreed extension is in force (moves the episode limit)."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for the commissioner"
        AGREED = "agreed", "Agreed by the commissioner"
        DECLINED = "declined", "Declined by the commissioner"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="extensions")
    rationale = models.TextField()
    until = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    # Agreed: by whom and when (the commissioner user).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(approved_at__isnull=True, declined_at__isnull=True),
                name="extension_pending",
            )
        ]

    @property
    def state(self) -> str:
        if self.approved_at is not None:
            return self.State.AGREED
        if self.declined_at is not None:
            return self.State.DECLINED
        return self.State.REQUESTED

    def get_state_display(self) -> str:
        return self.State(self.state).label


class Discharge(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="discharge")
    date = models.DateField()
    reason = models.CharField(max_length=30, choices=DischargeReason.choices)
    summary = models.TextField(blank=True)
    medication_changes = models.TextField(blank=True)
    adverse_reactions = models.TextField(blank=True)
    gp_actions = models.TextField(blank=True)
    treatment_exhausted = models.BooleanField(default=False)
    onward_referral = models.CharField(max_length=200, blank=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
