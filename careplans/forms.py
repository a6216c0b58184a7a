"""Forms of clinical care. Every episode form carries the version it was loaded at."""

from django import forms

from pathway.forms import DateInput, NhsFormMixin
from pathway.models import DischargeReason

from .models import (
    Appointment,
    Discharge,
    FormularyDrug,
    GroupSession,
    MedicationLine,
    MedicationReview,
    TreatmentStart,
)


class VersionedForm(NhsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AppointmentForm(VersionedForm):
    kind = forms.ChoiceField(label="Type of appointment", choices=Appointment.Kind.choices)
    date = forms.DateField(label="Date", widget=DateInput)
    time = forms.TimeField(label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    mode = forms.ChoiceField(label="How", choices=Appointment.Mode.choices)


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(label="Outcome", choices=Appointment.Outcome.choices, widget=forms.RadioSelect)
    medication_review_outcome = forms.ChoiceField(
        label="Medication review made in this appointment",
        required=False,
        choices=[("", "No medication review"), *MedicationReview.Outcome.choices],
        help_text="Only with an attended appointment: records the review in the same step",
    )
    medication_review_notes = forms.CharField(
        label="Medication review notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("medication_review_outcome") and data.get("outcome") != Appointment.Outcome.ATTENDED:
            self.add_error(
                "medication_review_outcome", "A medication review can only be recorded with an attended appointment."
            )
        return data


class DnaDecisionForm(VersionedForm):
    decision = forms.ChoiceField(label="Decision", choices=Appointment.DnaDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you discharge the patient as disengaged.",
    )


class CarePlanShareForm(VersionedForm):
    patient = forms.BooleanField(label="Shared with the patient (given or sent a copy)", required=False)
    gp = forms.BooleanField(
        label="Share with the GP", required=False, help_text="Creates a care plan letter to the practice to approve"
    )
    tier2 = forms.BooleanField(
        label="Share with the community tier 2 pain service",
        required=False,
        help_text="Only with the patient's consent to sharing with the tier 2 service",
    )
    tier2_service = forms.CharField(label="Tier 2 service", required=False, max_length=200)
    on = forms.DateField(label="Date shared", widget=DateInput)


class AssessmentForm(VersionedForm):
    assessed_on = forms.DateField(label="Date of assessment", widget=DateInput)
    biological = forms.CharField(label="Biological", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    psychological = forms.CharField(label="Psychological", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    social = forms.CharField(label="Social", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    goals = forms.CharField(label="Patient's goals", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    suicide_risk = forms.BooleanField(label="Suicide risk", required=False)
    alcohol_misuse = forms.BooleanField(label="Alcohol misuse", required=False)
    drug_misuse = forms.BooleanField(label="Drug misuse", required=False)
    risk_notes = forms.CharField(label="Risk notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CarePlanForm(VersionedForm):
    goals = forms.CharField(
        label="Goals",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One goal a line; add the review date after a bar, e.g. Walk to the shops | 2027-01-15",
    )
    education = forms.CharField(
        label="Education", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One item a line"
    )
    therapies = forms.CharField(
        label="Therapies", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One item a line"
    )
    clinical = forms.CharField(
        label="Clinical", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One item a line"
    )
    interventions = forms.CharField(
        label="Interventions", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One item a line"
    )
    flare_up_plan = forms.CharField(label="Flare-up plan", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    emergency_plan = forms.CharField(label="Emergency plan", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    shared_with_patient = forms.BooleanField(label="Shared with the patient", required=False)
    shared_with_gp = forms.BooleanField(label="Shared with the GP", required=False)

    def clean_goals(self):
        goals = []
        for line in _lines(self.cleaned_data["goals"]):
            goal, _, review_on = line.partition("|")
            goals.append({"goal": goal.strip(), "review_on": review_on.strip()})
        return goals

    def clean(self):
        data = super().clean()
        for name in ("education", "therapies", "clinical", "interventions"):
            if name in data:
                data[name] = _lines(data[name])
        return data

    @staticmethod
    def initial_from(plan) -> dict:
        if plan is None:
            return {}
        return {
            "goals": "\n".join(
                f"{g['goal']} | {g['review_on']}" if g.get("review_on") else g["goal"] for g in plan.goals
            ),
            **{
                name: "\n".join(getattr(plan, name)) for name in ("education", "therapies", "clinical", "interventions")
            },
            "flare_up_plan": plan.flare_up_plan,
            "emergency_plan": plan.emergency_plan,
            "shared_with_patient": plan.shared_with_patient,
            "shared_with_gp": plan.shared_with_gp,
        }


class TreatmentStartedForm(VersionedForm):
    date = forms.DateField(label="Date of the first definitive treatment", widget=DateInput)
    kind = forms.ChoiceField(label="Treatment", choices=TreatmentStart.Kind.choices)


class MedicationForm(VersionedForm):
    """A prescribing decision for a drug of the local formulary (the choices are read when shown)."""

    drug = forms.ChoiceField(label="Medicine", choices=[], help_text="From the local formulary")
    change = forms.ChoiceField(label="Decision", required=False, choices=MedicationLine.Change.choices, initial="start")

    def clean_change(self):
        return self.cleaned_data.get("change") or MedicationLine.Change.START

    route = forms.ChoiceField(
        label="Route",
        required=False,
        choices=[
            ("", "The medicine's usual route"),
            ("oral", "Oral"),
            ("transdermal", "Transdermal patch"),
            ("topical", "Topical"),
        ],
    )
    dose_mg = forms.DecimalField(label="Dose (mg)", required=False, max_digits=8, decimal_places=2)
    doses_per_day = forms.DecimalField(label="Doses a day", required=False, max_digits=5, decimal_places=2)
    patch_mcg_per_hour = forms.DecimalField(
        label="Patch strength (micrograms an hour)", required=False, max_digits=7, decimal_places=2
    )
    ome_mg_per_day = forms.DecimalField(
        label="OME entered by the clinician (mg a day)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text="Only for drugs without a fixed factor, such as methadone",
    )
    started_on = forms.DateField(label="Date of the decision", widget=DateInput)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for a dose above the usual maximum; stated in the advice to the GP",
    )
    urgent = forms.BooleanField(
        label="Urgent: supplied by the hospital pharmacy",
        required=False,
        help_text="The GP is not asked to prescribe it",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", "Choose a medicine")] + [
            (d.name, f"{d.name} ({d.get_drug_class_display()})")
            for d in FormularyDrug.objects.filter(active=True).order_by("name")
        ]


class StopMedicationForm(VersionedForm):
    stopped_on = forms.DateField(label="Date stopped", widget=DateInput)
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MedicationReviewForm(VersionedForm):
    date = forms.DateField(label="Date of the review", widget=DateInput)
    outcome = forms.ChoiceField(label="Outcome", choices=MedicationReview.Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DischargeForm(VersionedForm):
    date = forms.DateField(label="Discharge date", widget=DateInput)
    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=[("", "Choose a reason"), *DischargeReason.choices],
        error_messages={"required": "Choose the reason for discharge."},
    )
    summary = forms.CharField(label="Treatment summary", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    medication_changes = forms.CharField(
        label="Medication changes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    adverse_reactions = forms.CharField(
        label="Adverse reactions", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    gp_actions = forms.CharField(label="Actions for the GP", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    treatment_exhausted = forms.BooleanField(
        label="Treatment options are exhausted and re-referral is not indicated", required=False
    )
    onward_referral = forms.CharField(
        label="Onward referral to", required=False, max_length=Discharge._meta.get_field("onward_referral").max_length
    )
    support_plan = forms.CharField(
        label="Support plan after discharge",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What supports the patient from now on; it goes in the letter to the GP and the patient's copy.",
    )


class DischargeConfirmForm(DischargeForm):
    """The discharge form when the episode has open urgent tasks: discharging needs their confirmation."""

    confirm_open_tasks = forms.BooleanField(
        label="I confirm the discharge with the open urgent tasks listed above", required=False
    )


class ExtensionForm(VersionedForm):
    rationale = forms.CharField(
        label="Clinical rationale",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the clinical rationale for the extension."},
    )
    until = forms.DateField(label="Extend until", widget=DateInput)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("agreed", "Agree"), ("declined", "Decline")],
        error_messages={"required": "Choose agree or decline.", "invalid_choice": "Choose agree or decline."},
    )
    note = forms.CharField(
        label="Note to the service (required to decline)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MdtReviewForm(VersionedForm):
    reviewed_on = forms.DateField(label="Date of the MDT", widget=DateInput)
    decision = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 3}))
    tier_after = forms.TypedChoiceField(
        label="Tier after the review",
        choices=[("", "No change"), (1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    repatriate_to_tier2 = forms.TypedChoiceField(
        label="Repatriate to tier 2",
        choices=[
            ("", "Decide from the care plan (stand-alone interventions are repatriated)"),
            ("yes", "Yes: refer on to the community tier 2 service"),
            ("no", "No"),
        ],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    onward_referral = forms.CharField(
        label="Onward referral (when repatriating to tier 2)", required=False, max_length=200
    )


class GroupSessionForm(NhsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="For example PMP group, week 1",
        max_length=GroupSession._meta.get_field("name").max_length,
    )
    date = forms.DateField(label="Date", widget=DateInput)
    capacity = forms.IntegerField(label="Places", min_value=8, max_value=12, initial=12, help_text="8 to 12 places")


class GroupBookingForm(NhsFormMixin, forms.Form):
    episode = forms.CharField(label="Episode reference", help_text="As on the episode page, for example EP0000012")

    def clean_episode(self):
        value = self.cleaned_data["episode"].strip().upper().removeprefix("EP")
        if not value.isdigit():
            raise forms.ValidationError("Enter an episode reference like EP0000012.")
        return int(value)
