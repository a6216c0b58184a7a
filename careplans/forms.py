"""Forms of clinical care. Every episode form carries the version it was loaded at."""

from django import forms

from pathway.forms import DateInput, NhsFormMixin
from pathway.models import DischargeReason

from .models import Appointment, Discharge, GroupSession, TreatmentStart


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


class DnaDecisionForm(VersionedForm):
    decision = forms.ChoiceField(label="Decision", choices=Appointment.DnaDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you discharge the patient as disengaged.",
    )


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
    drug = forms.CharField(label="Drug", help_text="For example oxycodone, codeine, fentanyl")
    route = forms.ChoiceField(label="Route", choices=[("oral", "Oral"), ("transdermal", "Transdermal patch")])
    dose_mg = forms.DecimalField(label="Dose (mg)", required=False, min_value=0, max_digits=8, decimal_places=2)
    doses_per_day = forms.DecimalField(label="Doses a day", required=False, min_value=0, max_digits=5, decimal_places=2)
    patch_mcg_per_hour = forms.DecimalField(
        label="Patch strength (micrograms an hour)", required=False, min_value=0, max_digits=7, decimal_places=2
    )
    ome_mg_per_day = forms.DecimalField(
        label="OME entered by the clinician (mg a day)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text="Only for drugs without a fixed factor, such as methadone",
    )
    started_on = forms.DateField(label="Start date", widget=DateInput)


class StopMedicationForm(VersionedForm):
    stopped_on = forms.DateField(label="Date stopped", widget=DateInput)


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


class ExtensionForm(VersionedForm):
    rationale = forms.CharField(
        label="Clinical rationale",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the clinical rationale for the extension."},
    )
    until = forms.DateField(label="Extend until", widget=DateInput)


class ApproveExtensionForm(VersionedForm):
    pass


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
