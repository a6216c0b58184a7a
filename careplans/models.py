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
    shared_with_tier2 = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = field_history()

    class Meta:
        ordering = ["episode", "-version"]
        constraints = [models.UniqueConstraint(fields=["episode", "version"], name="one_care_plan_version")]


class CarePlanShare(models.Model):
    """One sharing of a care plan version: with the patient, with the GP (by a ``care_plan`` letter to
    the practice) or with the community tier 2 pain service."""

    class Recipient(models.TextChoices):
        PATIENT = "patient", "Patient"
        GP = "gp", "GP practice"
        TIER2 = "tier2", "Community tier 2 pain service"

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="shares")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    shared_on = models.DateField()
    service = models.CharField(max_length=200, blank=True, help_text="The tier 2 service shared with")
    letter = models.ForeignKey(
        "pathway.Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="care_plan_shares"
    )
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shared_on", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "recipient"], name="one_share_per_plan_and_recipient")]


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


class DrugClass(models.TextChoices):
    OPIOID = "opioid", "Opioid"
    GABAPENTINOID = "gabapentinoid", "Gabapentinoid"
    TRICYCLIC = "tricyclic", "Tricyclic antidepressant"
    SNRI = "snri", "SNRI"
    NSAID = "nsaid", "NSAID"
    PARACETAMOL = "paracetamol", "Paracetamol"
    TOPICAL = "topical", "Topical"
    OTHER = "other", "Other"


class FormularyDrug(models.Model):
    """One medicine of the local formulary (service specification appendix 5), kept by the admin.

    An opioid's OME factor is not stored here: it is read from the versioned factor table
    (``careplans.ome`` / ``OmeFactorTable``) in force, so the two can never disagree; an opioid
    must be in that table with the same routes.
    """

    name = models.CharField(max_length=40, unique=True, help_text="Lower case generic name, e.g. pregabalin")
    drug_class = models.CharField(max_length=20, choices=DrugClass.choices)
    routes = models.JSONField(default=list, help_text='Routes it is given by, e.g. ["oral"]')
    max_daily_mg = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="Usual maximum daily dose in mg"
    )
    monitoring = models.TextField(blank=True, help_text="What the practice should monitor")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_opioid(self) -> bool:
        return self.drug_class == DrugClass.OPIOID


class MedicationLine(models.Model):
    class Change(models.TextChoices):
        START = "start", "Start"
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"
        SWITCH = "switch", "Switch"
        STOP = "stop", "Stop"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="medications")
    drug = models.CharField(max_length=40)
    drug_class = models.CharField(max_length=20, choices=DrugClass.choices, default=DrugClass.OPIOID)
    route = models.CharField(max_length=20)
    change = models.CharField(max_length=10, choices=Change.choices, default=Change.START)
    reason = models.TextField(blank=True)
    urgent = models.BooleanField(default=False, help_text="Supplied by the hospital pharmacy")
    above_usual_max = models.BooleanField(default=False)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    advice_letter = models.ForeignKey(
        "pathway.Letter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    doses_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    patch_mcg_per_hour = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    ome_mg_per_day = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
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


class MedicationReview(models.Model):
    """A recorded medication review: it meets the 6-week review deadlines of the changes before it."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue"
        ADJUST = "adjust", "Adjust"
        STOP = "stop", "Stop"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="medication_reviews")
    date = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    lines = models.ManyToManyField(MedicationLine, blank=True, related_name="reviews")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="medication_reviews"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]


class OmeRecord(models.Model):
    """The episode's opioid total after each change: the OME-over-time chart and the opioid report."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="ome_records")
    on = models.DateField()
    total_mg_per_day = models.DecimalField(max_digits=8, decimal_places=2)
    opioid_lines = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["episode", "on"])]


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
    support_plan = models.TextField(blank=True, help_text="How the patient is supported after discharge")
    open_tasks_confirmed = models.JSONField(
        default=list, blank=True, help_text="Open urgent tasks the clinician confirmed discharging with"
    )
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
