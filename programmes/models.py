"""Group programmes (the pain management programme, pain education groups) and signposting resources."""

from django.conf import settings
from django.db import models

from pathway.models import Episode


class Programme(models.Model):
    """A course: a PMP (about 18 hours) or a two-session pain education group, with 8-10 places."""

    class Kind(models.TextChoices):
        PMP = "pmp", "Pain management programme"
        EDUCATION = "education", "Pain education group"

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    capacity = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeSession(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first session")
    date = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="one_session_number")]


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITING = "waiting", "On the waiting list"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="programme_enrolments")
    status = models.CharField(max_length=10, choices=Status.choices)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Missing sessions in a row is a task for a clinician (a call, not a discharge) until followed up.
    missed_task_raised_on = models.DateField(null=True, blank=True)
    missed_task_done_on = models.DateField(null=True, blank=True)
    missed_task_note = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "episode"], name="one_enrolment_per_programme")]

    @property
    def missed_task_open(self) -> bool:
        return self.missed_task_raised_on is not None and self.missed_task_done_on is None


class Attendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(ProgrammeSession, on_delete=models.PROTECT, related_name="attendances")
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="one_attendance_per_session")]


class Resource(models.Model):
    """A self-management resource the service signposts (a maintained list)."""

    class Audience(models.TextChoices):
        PATIENTS = "patients", "Patients"
        CARERS = "carers", "Carers and families"
        EVERYONE = "everyone", "Patients, carers and families"

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField()
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Signpost(models.Model):
    """A resource given to the patient with their care plan or discharge; printed in their letters."""

    class Context(models.TextChoices):
        CARE_PLAN = "care_plan", "Care plan"
        DISCHARGE = "discharge", "Discharge"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="signposts")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="signposts")
    context = models.CharField(max_length=10, choices=Context.choices)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "attached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "resource", "context"], name="one_signpost_per_context")
        ]
