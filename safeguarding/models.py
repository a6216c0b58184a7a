"""What the service records about a patient beyond the pathway: consent, carers, communication needs,
safeguarding concerns and significant events (incidents)."""

from django.conf import settings
from django.db import models

from pathway.models import Episode, Patient


class Consent(models.Model):
    """One decision of the patient about treatment or a kind of sharing; the latest per scope is in force.

    Rows are never edited: a withdrawal is a new row with ``given`` false, so the history stays.
    """

    class Scope(models.TextChoices):
        TREATMENT = "treatment", "Treatment"
        SHARE_GP = "share_gp", "Sharing with the GP"
        SHARE_TIER2 = "share_tier2", "Sharing with the tier 2 service"
        SHARE_CARER = "share_carer", "Sharing with relatives or carers named by the patient"

    class Method(models.TextChoices):
        VERBAL = "verbal", "Verbal"
        WRITTEN = "written", "Written"
        DIGITAL = "digital", "Digital"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    given = models.BooleanField()
    method = models.CharField(max_length=10, choices=Method.choices)
    on = models.DateField(help_text="The date the patient gave or withdrew consent")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "scope", "-on", "-id"]
        indexes = [models.Index(fields=["patient", "scope", "on"])]


class Carer(models.Model):
    """A carer, relative or representative named by the patient."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="carers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=80)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    attends_appointments = models.BooleanField(default=False)
    receives_copies = models.BooleanField(default=False, help_text="Sent copies of letters to the patient")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "id"]

    def __str__(self) -> str:
        return f"Carer {self.pk}"


class CommunicationFormat(models.TextChoices):
    STANDARD = "standard", "Standard print"
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BRAILLE = "braille", "Braille"
    AUDIO = "audio", "Audio"


class CommunicationNeeds(models.Model):
    """How to communicate with the patient (Accessible Information Standard). The interpreter and
    language stay on the patient, where the referral puts them."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="communication_needs")
    format = models.CharField(max_length=12, choices=CommunicationFormat.choices, default=CommunicationFormat.STANDARD)
    hearing_impairment = models.BooleanField(default=False)
    visual_impairment = models.BooleanField(default=False)
    learning_disability = models.BooleanField(default=False)
    needs = models.TextField(blank=True, help_text="Other needs and reasonable adjustments")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class InterpreterBooking(models.Model):
    """An interpreter booked with an appointment of a patient who needs one."""

    appointment = models.OneToOneField(
        "careplans.Appointment", on_delete=models.CASCADE, related_name="interpreter_booking"
    )
    language = models.CharField(max_length=60)
    booked_at = models.DateTimeField(auto_now_add=True)


class SafeguardingConcern(models.Model):
    class Subject(models.TextChoices):
        ADULT = "adult", "Adult"
        CHILD = "child", "Child"

    class Category(models.TextChoices):
        # The Care Act 2014 categories of abuse, and those of Working Together for children.
        PHYSICAL = "physical", "Physical abuse"
        SEXUAL = "sexual", "Sexual abuse"
        PSYCHOLOGICAL = "psychological", "Psychological or emotional abuse"
        FINANCIAL = "financial", "Financial or material abuse"
        NEGLECT = "neglect", "Neglect or acts of omission"
        SELF_NEGLECT = "self_neglect", "Self-neglect"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        MODERN_SLAVERY = "modern_slavery", "Modern slavery"
        DISCRIMINATORY = "discriminatory", "Discriminatory abuse"
        ORGANISATIONAL = "organisational", "Organisational abuse"
        EXPLOITATION = "exploitation", "Exploitation"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="safeguarding_concerns")
    subject = models.CharField(max_length=5, choices=Subject.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField()
    action = models.TextField(help_text="Action taken")
    raised_on = models.DateField()
    referred_to_local_authority_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=60, blank=True, help_text="The local authority's reference")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["raised_on"]), models.Index(fields=["episode", "closed_on"])]

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Incident(models.Model):
    """A significant event (service specification 4.3.9), reviewed by the service lead."""

    class Kind(models.TextChoices):
        ADVERSE_REACTION = "adverse_reaction", "Adverse reaction"
        UNPLANNED_ADMISSION = "unplanned_admission", "Unplanned hospital admission"
        DEATH = "death", "Death"
        OTHER = "other", "Other serious incident"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        DEATH = "death", "Death"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    on = models.DateField(help_text="The date of the event")
    description = models.TextField()
    action = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["on", "kind"])]
