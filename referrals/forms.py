"""Forms of referral intake: types and widgets only; the service checks the rules."""

from django import forms

from pathway.forms import DateInput
from pathway.models import Patient, Practice
from pathway.services import today_london
from safeguarding.models import CommunicationFormat

from .models import EXCLUDED_CONDITIONS, RED_FLAGS, ReferrerType, Urgency
from .services import PATIENT_FIELDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "nhsuk-input"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _text(label, required=False, max_length=None, help_text="", width="nhsuk-input"):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": width}),
    )


def _area(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
    )


def _date(label, required=True, help_text="For example, 2026-11-02"):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
    )


class ReferralForm(forms.Form):
    FIELDSETS = [
        ("Referrer", ["practice_ods", "referrer_name", "referrer_type", "received_on", "ubrn", "ubrn_converted_on"]),
        ("Patient", ["nhs_number", *PATIENT_FIELDS]),
        ("Condition", ["pain_site", "pain_nature", "duration_months", "impact"]),
        ("History and treatment", ["previous_treatments", "medical_history", "medications"]),
        (
            "Needs, vulnerabilities and risks",
            [
                "communication_format",
                "needs_vulnerabilities",
                "risks",
                "red_flags",
                "excluded_conditions",
                "acute_mental_health",
                "urgency",
                "reason",
            ],
        ),
        ("Attachments", ["attachments"]),
    ]

    practice_ods = forms.ChoiceField(label="Referring practice")
    referrer_name = _text("Referring clinician", max_length=120)
    referrer_type = forms.ChoiceField(
        label="Referrer",
        choices=ReferrerType.choices,
        initial=ReferrerType.GP,
        required=False,
        help_text="The palliative fast track is only for referrals from an oncologist or palliative-care consultant",
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    received_on = _date("Date received", required=False, help_text="Leave blank for today")
    ubrn = _text("e-RS UBRN", max_length=20, help_text="12 digits, if booked through the e-Referral Service")
    ubrn_converted_on = _date("Date the UBRN was converted", required=False)

    nhs_number = _text(
        "NHS number",
        required=True,
        max_length=20,
        help_text="10 digits, spaces allowed",
        width="nhsuk-input nhsuk-input--width-10",
    )
    given_name = _text("First name", required=True, max_length=100)
    family_name = _text("Last name", required=True, max_length=100)
    date_of_birth = _date("Date of birth")
    sex = forms.ChoiceField(
        label="Sex",
        choices=[("", "Select")] + list(Patient.Sex.choices),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    address = _area("Address")
    postcode = _text("Postcode", max_length=10, width="nhsuk-input nhsuk-input--width-10")
    phone = _text("Phone", max_length=30, width="nhsuk-input nhsuk-input--width-20")
    ethnicity = _text("Ethnicity", max_length=80)
    interpreter_needed = forms.BooleanField(
        label="Needs an interpreter",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
    )
    interpreter_language = _text("Interpreter language", max_length=60)
    communication_format = forms.ChoiceField(
        label="Format of letters to the patient",
        choices=CommunicationFormat.choices,
        initial=CommunicationFormat.STANDARD,
        required=False,
        help_text="Large print, easy read, braille or audio if the patient needs it",
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    veteran = forms.BooleanField(
        label="Armed forces veteran",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
    )

    pain_site = _text("Site of pain", required=True, max_length=200)
    pain_nature = _area("Nature of pain")
    duration_months = forms.IntegerField(
        label="Duration of pain in months",
        min_value=0,
        max_value=1200,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}),
    )
    impact = _area("Impact on daily life")
    previous_treatments = _area("Previous treatments")
    medical_history = _area("Medical history")
    medications = _area("Current medications")
    needs_vulnerabilities = _area("Needs and vulnerabilities")
    risks = _area("Risks")
    red_flags = forms.MultipleChoiceField(
        label="Red flags",
        required=False,
        choices=list(RED_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "nhsuk-checkboxes__input"}),
        help_text="Any red flag must be cleared by a clinician before the referral can be accepted",
    )
    excluded_conditions = forms.MultipleChoiceField(
        label="Conditions treated by a regional tertiary centre",
        required=False,
        choices=list(EXCLUDED_CONDITIONS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "nhsuk-checkboxes__input"}),
        help_text="These are not treated by this service: the referral will be offered to the regional tertiary "
        "pain centre",
    )
    acute_mental_health = forms.BooleanField(
        label="The patient is having an acute mental-health episode",
        required=False,
        help_text="Triage is deferred until the episode has settled",
        widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
    )
    reason = _area("Reason for referral")
    attachments = MultipleFileField(
        label="Attachments", required=False, help_text="PDF, JPEG or PNG letters and reports"
    )

    def __init__(self, *args, fixed_practice: Practice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_practice is not None:
            self.fields["practice_ods"].choices = [(fixed_practice.ods_code, str(fixed_practice))]
            self.fields["practice_ods"].initial = fixed_practice.ods_code
            self.fields["practice_ods"].disabled = True
        else:
            self.fields["practice_ods"].choices = [("", "Select a practice")] + [
                (p.ods_code, str(p)) for p in Practice.objects.order_by("name")
            ]
        self.fields["practice_ods"].widget.attrs["class"] = "nhsuk-select"
        self.fields["received_on"].widget.attrs["max"] = today_london().isoformat()

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "attachments"}
        data["red_flags"] = list(data.get("red_flags") or [])
        data["excluded_conditions"] = list(data.get("excluded_conditions") or [])
        return data


class ReengagementForm(forms.Form):
    nhs_number = _text("NHS number", required=True, max_length=20, width="nhsuk-input nhsuk-input--width-10")
    reason = forms.CharField(
        label="Why is the patient re-engaging?", widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3})
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        required=False,
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
    )
    received_on = _date("Date of contact", required=False, help_text="Leave blank for today")

    def clean_urgency(self):
        return self.cleaned_data.get("urgency") or Urgency.ROUTINE
