"""Request and response bodies of the clinical-care API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pathway.models import DischargeReason, EpisodeState

from ..models import (
    Appointment,
    CarePlan,
    CarePlanShare,
    Discharge,
    DrugClass,
    Extension,
    MedicationLine,
    MedicationReview,
    TreatmentStart,
)
from ..selectors import care_plan_written


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)


class AppointmentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Appointment.Kind.choices)
    date = serializers.DateField()
    time = serializers.TimeField(required=False, allow_null=True)
    mode = serializers.ChoiceField(choices=Appointment.Mode.choices, required=False, default="face_to_face")
    group_session = serializers.IntegerField(required=False, allow_null=True)
    version = VersionField()


class AppointmentOutput(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    interpreter = serializers.CharField(
        source="interpreter_booking.language",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="The language of the interpreter booked with the appointment (null: none needed)",
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "episode_id",
            "kind",
            "date",
            "time",
            "mode",
            "outcome",
            "dna_decision",
            "group_session",
            "interpreter",
        ]


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Appointment.Outcome.choices)
    medication_review_outcome = serializers.ChoiceField(
        choices=MedicationReview.Outcome.choices,
        required=False,
        allow_null=True,
        help_text="With outcome attended: the medication review made in the appointment, recorded in the same step",
    )
    medication_review_notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField()


class DnaDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Appointment.DnaDecision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField()


class AssessmentInput(serializers.Serializer):
    assessed_on = serializers.DateField()
    biological = serializers.CharField(required=False, allow_blank=True, default="")
    psychological = serializers.CharField(required=False, allow_blank=True, default="")
    social = serializers.CharField(required=False, allow_blank=True, default="")
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    suicide_risk = serializers.BooleanField(required=False, default=False)
    alcohol_misuse = serializers.BooleanField(required=False, default=False)
    drug_misuse = serializers.BooleanField(required=False, default=False)
    risk_notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField()


class GoalInput(serializers.Serializer):
    goal = serializers.CharField()
    review_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "The goal as plain text"},
            {
                "type": "object",
                "properties": {
                    "goal": {"type": "string"},
                    "review_on": {"type": "string", "format": "date", "nullable": True},
                },
                "required": ["goal"],
            },
        ]
    }
)
class GoalField(serializers.Field):
    """A goal as plain text, or as {"goal", "review_on"} when it has a review date."""

    def to_internal_value(self, data):
        goal = GoalInput(data={"goal": data} if isinstance(data, str) else data)
        goal.is_valid(raise_exception=True)
        return goal.validated_data

    def to_representation(self, value):
        return value


class CarePlanInput(serializers.Serializer):
    goals = serializers.ListField(child=GoalField(), required=False, default=list)
    education = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    therapies = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    clinical = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    interventions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    flare_up_plan = serializers.CharField(required=False, allow_blank=True, default="")
    emergency_plan = serializers.CharField(required=False, allow_blank=True, default="")
    shared_with_patient = serializers.BooleanField(required=False, default=False)
    shared_with_gp = serializers.BooleanField(required=False, default=False)
    version = VersionField()


class CarePlanShareInput(serializers.Serializer):
    patient = serializers.BooleanField(required=False, default=False, help_text="Shared with the patient")
    gp = serializers.BooleanField(
        required=False, default=False, help_text="Shared with the GP: creates a `care_plan` letter to the practice"
    )
    tier2 = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Shared with the community tier 2 pain service (needs the patient's `share_tier2` consent)",
    )
    tier2_service = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Defaults to today")
    version = VersionField()


class TreatmentStartedInput(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=TreatmentStart.Kind.choices)
    version = VersionField()


class MedicationInput(serializers.Serializer):
    drug = serializers.CharField()
    route = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="oral or transdermal; may be left out for a drug given by one route only",
    )
    dose_mg = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    doses_per_day = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    patch_mcg_per_hour = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    ome_mg_per_day = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, help_text="Clinician-entered OME (methadone)"
    )
    started_on = serializers.DateField(required=False, allow_null=True, help_text="The date of the decision")
    change = serializers.ChoiceField(choices=MedicationLine.Change.choices, required=False, default="start")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed for a dose above the usual maximum"
    )
    urgent = serializers.BooleanField(
        required=False, default=False, help_text="Supplied by the hospital pharmacy, not the GP"
    )
    replaces = serializers.IntegerField(
        required=False, allow_null=True, help_text="The current line a switch (or dose change) replaces"
    )
    monitoring = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField()


class MedicationReviewInput(serializers.Serializer):
    date = serializers.DateField()
    outcome = serializers.ChoiceField(choices=MedicationReview.Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Ids of the lines reviewed"
    )
    version = VersionField()


class MedicationReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    met_deadline_ids = serializers.ListField(child=serializers.IntegerField())


FormularyDrugOutput = type(
    "FormularyDrugOutput",
    (serializers.Serializer,),
    {
        "drug": serializers.CharField(),
        "class": serializers.ChoiceField(choices=DrugClass.choices),
        "routes": serializers.ListField(child=serializers.CharField()),
        "max_daily_mg": serializers.FloatField(allow_null=True),
        "ome_factor": serializers.FloatField(allow_null=True, help_text="From the OME factor table in force"),
    },
)


class DischargeInput(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.ChoiceField(
        choices=DischargeReason.choices, error_messages={"required": "Choose the reason for discharge."}
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    medication_changes = serializers.CharField(required=False, allow_blank=True, default="")
    adverse_reactions = serializers.CharField(required=False, allow_blank=True, default="")
    gp_actions = serializers.CharField(required=False, allow_blank=True, default="")
    treatment_exhausted = serializers.BooleanField(required=False, default=False)
    onward_referral = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        max_length=Discharge._meta.get_field("onward_referral").max_length,
    )
    support_plan = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="In the GP letter and the patient's copy"
    )
    confirm_open_tasks = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Discharge although the episode has open urgent tasks (an urgent mental-health referral, a "
        "medication review due); without it such a discharge is a 409 `open_tasks` listing them. Recorded.",
    )
    version = VersionField()


class ExtensionInput(serializers.Serializer):
    rationale = serializers.CharField()
    until = serializers.DateField()
    version = VersionField()


class MdtReviewInput(serializers.Serializer):
    reviewed_on = serializers.DateField()
    decision = serializers.CharField()
    tier_after = serializers.ChoiceField(choices=[1, 2, 3], required=False, allow_null=True)
    repatriate_to_tier2 = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Repatriate to the community tier 2 service. Omitted: set when the care plan is stand-alone "
        "interventions with no other active treatment.",
    )
    onward_referral = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The onward referral (required when repatriating to tier 2).",
    )
    version = VersionField()


class AppointmentBookedOutput(AppointmentOutput):
    episode_version = serializers.IntegerField(read_only=True)

    class Meta(AppointmentOutput.Meta):
        fields = [*AppointmentOutput.Meta.fields, "episode_version"]


class AppointmentOutcomeOutput(AppointmentOutput):
    decision_required = serializers.BooleanField(read_only=True, help_text="True after a DNA: record a decision.")

    class Meta(AppointmentOutput.Meta):
        fields = [*AppointmentOutput.Meta.fields, "decision_required"]


class AssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    state = serializers.ChoiceField(choices=EpisodeState.choices)


class CarePlanShareOutput(serializers.ModelSerializer):
    letter_id = serializers.IntegerField(allow_null=True, read_only=True, help_text="The care plan letter to the GP")

    class Meta:
        model = CarePlanShare
        fields = ["recipient", "shared_on", "service", "letter_id"]


class CarePlanOutput(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    episode_version = serializers.IntegerField(
        source="episode.version", read_only=True, help_text="Send it as `version` with the next revision."
    )
    goals = serializers.ListField(child=serializers.DictField(), help_text="[{goal, review_on}]")
    education = serializers.ListField(child=serializers.CharField())
    therapies = serializers.ListField(child=serializers.CharField())
    clinical = serializers.ListField(child=serializers.CharField())
    interventions = serializers.ListField(child=serializers.CharField())
    written_and_shared = serializers.SerializerMethodField(
        help_text="Goals, a flare-up plan and an emergency plan, shared with both the patient and the GP (the KPI)"
    )
    shares = CarePlanShareOutput(many=True, read_only=True)

    @extend_schema_field(serializers.BooleanField())
    def get_written_and_shared(self, plan) -> bool:
        return care_plan_written(plan)

    class Meta:
        model = CarePlan
        fields = [
            "id",
            "episode_id",
            "episode_version",
            "version",
            "goals",
            "education",
            "therapies",
            "clinical",
            "interventions",
            "flare_up_plan",
            "emergency_plan",
            "shared_with_patient",
            "shared_with_gp",
            "shared_with_tier2",
            "written_and_shared",
            "shares",
            "created_at",
        ]
        extra_kwargs = {"version": {"help_text": "Version of the care plan (1 for the first)."}}


class TreatmentStartedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=TreatmentStart.Kind.choices)
    state = serializers.ChoiceField(choices=EpisodeState.choices)
    created = serializers.BooleanField(help_text="False when the first treatment was already recorded.")


class MedicationLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    drug = serializers.CharField()
    drug_class = serializers.CharField()
    route = serializers.CharField()
    change = serializers.CharField()
    urgent = serializers.BooleanField()
    above_usual_max = serializers.BooleanField()
    ome_mg_per_day = serializers.FloatField(allow_null=True)
    factor_version = serializers.CharField()
    started_on = serializers.DateField()
    stopped_on = serializers.DateField(allow_null=True)
    review_due_on = serializers.DateField()


MedicationAddedOutput = type(
    "MedicationAddedOutput",
    (serializers.Serializer,),
    {
        "id": serializers.IntegerField(),
        "drug": serializers.CharField(),
        "class": serializers.ChoiceField(choices=DrugClass.choices),
        "ome_mg_per_day": serializers.FloatField(allow_null=True, help_text="null for a non-opioid"),
        "review_due_on": serializers.DateField(help_text="6 weeks after the change"),
        "letter_id": serializers.IntegerField(help_text="The prescribing advice letter the change joined"),
        "change": serializers.CharField(),
        "above_usual_max": serializers.BooleanField(),
        "factor_version": serializers.CharField(),
        "ome_total_mg_per_day": serializers.FloatField(help_text="OME of the episode's current lines together."),
        "episode_version": serializers.IntegerField(),
    },
)


class VersionInput(serializers.Serializer):
    version = VersionField()


class OpenTaskOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="mental_health_referral or medication_review")
    label = serializers.CharField()
    due_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)


class OpenTasksConflict(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="open_tasks; or another conflict (stale_version, transition_not_allowed)")
    open_tasks = OpenTaskOutput(many=True, required=False)


class DischargeOutput(serializers.Serializer):
    letter_id = serializers.IntegerField()
    letter_due_on = serializers.DateField(help_text="3 working days after the discharge date.")
    discharge_id = serializers.IntegerField()
    patient_copy_id = serializers.IntegerField(
        allow_null=True, help_text="The patient's copy, due with the GP letter (none when the patient has died)."
    )
    patient_copy_due_on = serializers.DateField(allow_null=True)
    reengage_until = serializers.DateField(
        help_text="The last day the patient may re-engage through the SPA without a new referral"
    )
    open_tasks_confirmed = OpenTaskOutput(many=True, help_text="The open urgent tasks confirmed, recorded")


class ExtensionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    until = serializers.DateField()
    approved = serializers.BooleanField(help_text="Agreed by the commissioner: only then is it in force.")
    state = serializers.ChoiceField(choices=Extension.State.choices)
    letter_id = serializers.IntegerField(allow_null=True, help_text="The letter to the GP, once agreed.")


class MdtReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    tier_before = serializers.IntegerField(allow_null=True)
    tier_after = serializers.IntegerField(allow_null=True)
    standalone_intervention = serializers.BooleanField()
    repatriate_to_tier2 = serializers.BooleanField()
    onward_referral = serializers.CharField()
