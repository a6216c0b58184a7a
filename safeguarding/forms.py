"""Forms of the consent, carers, communication, safeguarding and incident pages (the services validate)."""

from django import forms

from pathway.forms import DateInput, NhsFormMixin

from .models import CommunicationFormat, Consent, Incident, SafeguardingConcern

YES_NO = [("yes", "Yes, given"), ("no", "No: declined or withdrawn")]


class CommunicationForm(NhsFormMixin, forms.Form):
    communication_format = forms.ChoiceField(
        label="Format of letters", choices=CommunicationFormat.choices, widget=forms.RadioSelect
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    language = forms.CharField(label="Language", max_length=60, required=False)
    hearing_impairment = forms.BooleanField(label="Hearing impairment", required=False)
    visual_impairment = forms.BooleanField(label="Visual impairment", required=False)
    learning_disability = forms.BooleanField(label="Learning disability", required=False)
    needs = forms.CharField(
        label="Other needs and reasonable adjustments", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ConsentForm(NhsFormMixin, forms.Form):
    scope = forms.ChoiceField(label="Consent to", choices=Consent.Scope.choices)
    given = forms.ChoiceField(label="Decision", choices=YES_NO, widget=forms.RadioSelect)
    method = forms.ChoiceField(label="How it was given", choices=Consent.Method.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="Date", widget=DateInput)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_given(self):
        return self.cleaned_data["given"] == "yes"


class CarerForm(NhsFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    relationship = forms.CharField(label="Relationship to the patient", max_length=80, help_text="For example daughter")
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    address = forms.CharField(label="Address", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    attends_appointments = forms.BooleanField(label="Comes to appointments", required=False)
    receives_copies = forms.BooleanField(
        label="Receives copies of letters to the patient (only while the patient consents to sharing with carers)",
        required=False,
    )


class ConcernForm(NhsFormMixin, forms.Form):
    subject = forms.ChoiceField(label="About", choices=SafeguardingConcern.Subject.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Category", choices=SafeguardingConcern.Category.choices)
    description = forms.CharField(label="The concern", widget=forms.Textarea(attrs={"rows": 4}))
    action = forms.CharField(label="Action taken", widget=forms.Textarea(attrs={"rows": 3}))
    referred_to_local_authority_on = forms.DateField(
        label="Referred to the local authority on", widget=DateInput, required=False
    )
    reference = forms.CharField(label="Local authority reference", max_length=60, required=False)


class CloseConcernForm(NhsFormMixin, forms.Form):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 3}))


class IncidentForm(NhsFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=Incident.Kind.choices, widget=forms.RadioSelect)
    severity = forms.ChoiceField(
        label="Severity", choices=Incident.Severity.choices, widget=forms.RadioSelect, required=False
    )
    on = forms.DateField(label="Date of the event", widget=DateInput)
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}))
    action = forms.CharField(label="Action taken", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReviewForm(NhsFormMixin, forms.Form):
    note = forms.CharField(label="Review", widget=forms.Textarea(attrs={"rows": 3}))
