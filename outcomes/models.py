"""PROMs, patient links, experience survey, complaints and compliments."""

from django.conf import settings
from django.db import models

from pathway.history import field_history
from pathway.models import Episode


class Instrument(models.TextChoices):
    PSEQ = "PSEQ", "Pain Self-Efficacy Questionnaire"
    BPI = "BPI", "Brief Pain Inventory (short form)"
    EQ5D5L = "EQ5D5L", "EQ-5D-5L"


class Timepoint(models.TextChoices):
    ENTRY = "entry", "Entry"
    DISCHARGE = "discharge", "Discharge"
    FOLLOWUP = "followup", "Three months after discharge"


class PromResponse(models.Model):
    class Source(models.TextChoices):
        PATIENT_LINK = "patient_link", "Patient link"
        PAPER = "paper", "Paper return"
        API = "api", "API"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="prom_responses")
    instrument = models.CharField(max_length=10, choices=Instrument.choices)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    instrument_version = models.CharField(max_length=20)
    value_set = models.CharField(max_length=20, blank=True)
    answers = models.JSONField()
    complete = models.BooleanField(default=True)
    scores = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.PAPER)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_on", "id"]
        indexes = [
            models.Index(fields=["episode", "instrument", "timepoint"]),
            # The month's follow-up questionnaires (the monthly data set's episodes, and its KPI rows).
            models.Index(
                fields=["completed_on"], name="prom_followup_completed_on", condition=models.Q(timepoint="followup")
            ),
        ]


class PromInvitation(models.Model):
    """A single-use, expiring link for the patient; only a hash of the token is stored."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="prom_invitations")
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    instruments = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, default="email")
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    partial_answers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "timepoint"], name="one_invitation_per_timepoint")]


class ExperienceSurvey(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="experience_surveys")
    positive = models.BooleanField()
    comments = models.TextField(blank=True)
    answered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["answered_on"], name="survey_answered_on")]


class Feedback(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        COMPLIMENT = "compliment", "Compliment"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    received_on = models.DateField()
    summary = models.TextField()
    action_taken = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = field_history()

    class Meta:
        ordering = ["-received_on", "-id"]
