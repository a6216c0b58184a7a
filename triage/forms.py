"""Forms of SPA triage: the outcome, red-flag clearance and reassignment."""

from django import forms
from django.contrib.auth import get_user_model

from pathway.models import Team

from .models import RedirectTarget, TriageOutcome
from .selectors import red_flag_clinicians, triage_staff

RADIOS = {"class": "nhsuk-radios__input"}


class TriageOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=TriageOutcome.choices, widget=forms.RadioSelect(attrs=RADIOS))
    tier = forms.TypedChoiceField(
        label="Tier (when accepting)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")],
        widget=forms.RadioSelect(attrs=RADIOS),
    )
    team = forms.ModelChoiceField(
        label="Team",
        required=False,
        help_text="Required to accept to tier 2 or 3: the team's clinicians are the ones who see the patient",
        queryset=Team.objects.order_by("name"),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    redirect_to = forms.ChoiceField(
        label="Redirect to (when redirecting)",
        required=False,
        choices=[("", "Select")] + list(RedirectTarget.choices),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        help_text="Needed to reject, redirect or request information: the GP will read it in the letter",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
    )
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        help_text="Only to accept a referral that does not meet the acceptance criteria: why it should be "
        "accepted anyway (a clinician or the service lead)",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, may_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override_reason"]
        # Required for some outcomes only, so not "(optional)" on the page; the service checks it.
        self.fields["team"].conditionally_required = True

    def clean(self):
        data = super().clean()
        if data.get("outcome") == TriageOutcome.ACCEPT and data.get("tier") in (2, 3) and not data.get("team"):
            self.add_error("team", f"Choose the team that will care for the patient to accept to tier {data['tier']}.")
        return data


class RedFlagClearForm(forms.Form):
    flag = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why can this red flag be cleared?", widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2})
    )


class ReassignForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Reassign to",
        queryset=get_user_model().objects.none(),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = triage_staff()
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class InfoReceivedForm(forms.Form):
    note = forms.CharField(
        label="What was received", required=False, widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2})
    )
    mental_health_settled = forms.BooleanField(
        label="The acute mental-health episode has settled",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
    )


class RedFlagSendForm(forms.Form):
    clinician = forms.ModelChoiceField(
        label="Clinician",
        queryset=get_user_model().objects.none(),
        empty_label="Choose a clinician",
        error_messages={"required": "Choose a clinician to send the referral to."},
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    note = forms.CharField(
        label="Note for the clinician",
        required=False,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = red_flag_clinicians()
        self.fields["clinician"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
