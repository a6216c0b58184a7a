"""Forms of the outcomes app: staff paper returns, patient question steps, feedback log."""

from __future__ import annotations

from django import forms

from pathway.forms import DateInput
from pathway.services import today_london

from .models import Feedback, Instrument, Timepoint
from .questionnaires import BPI_INTERFERENCE_TEXT, BPI_SEVERITY_TEXT, EQ5D_TEXT, PSEQ_TEXT, Step
from .scoring import EQ5D_DIMENSIONS, VALUE_SET_LABELS

DATE_WIDGET = DateInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"})


def _number(label: str, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "min_value": f"{label}: give a whole number from {low} to {high}.",
            "max_value": f"{label}: give a whole number from {low} to {high}.",
            "invalid": f"{label}: give a whole number from {low} to {high}.",
        },
    )


class PaperReturnForm(forms.Form):
    """A questionnaire returned on paper, keyed in by staff. Blank items are errors unless the
    return is marked incomplete, in which case it is stored as incomplete with no guessed score."""

    instrument: str = ""
    timepoint = forms.ChoiceField(choices=Timepoint.choices, widget=forms.Select(attrs={"class": "nhsuk-select"}))
    completed_on = forms.DateField(label="Date the patient completed it", widget=DATE_WIDGET)
    incomplete = forms.BooleanField(
        required=False, label="The patient left some questions blank: store it as incomplete"
    )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > today_london():
            raise forms.ValidationError("The date completed cannot be in the future.")
        return value

    def item_fields(self) -> list[str]:
        return [name for name in self.fields if name not in ("timepoint", "completed_on", "incomplete", "value_set")]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("incomplete"):
            for name in self.required_items():
                if name in cleaned and cleaned[name] in (None, ""):
                    self.add_error(
                        name, f"{self.fields[name].label}: answer this question, or mark the return incomplete."
                    )
        return cleaned

    def required_items(self) -> list[str]:
        return self.item_fields()

    def items(self) -> list:
        return [self[name] for name in self.item_fields()]


class PaperPSEQForm(PaperReturnForm):
    instrument = Instrument.PSEQ

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, text in enumerate(PSEQ_TEXT, start=1):
            self.fields[f"item_{i}"] = _number(f"Item {i}", 0, 6)
            self.fields[f"item_{i}"].help_text = text

    def answers(self) -> dict:
        return {"items": [self.cleaned_data.get(f"item_{i}") for i in range(1, 11)]}


class PaperBPIForm(PaperReturnForm):
    instrument = Instrument.BPI

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, text in enumerate(BPI_SEVERITY_TEXT, start=1):
            self.fields[f"severity_{i}"] = _number(f"Severity item {i}", 0, 10)
            self.fields[f"severity_{i}"].help_text = text
        for i, text in enumerate(BPI_INTERFERENCE_TEXT, start=1):
            self.fields[f"interference_{i}"] = _number(f"Interference item {i}", 0, 10)
            self.fields[f"interference_{i}"].help_text = f"{text} (may be left blank)"

    def required_items(self) -> list[str]:
        # Interference is scored from any 4 of its 7 items, so a blank one is not an error.
        return [f"severity_{i}" for i in range(1, 5)]

    def answers(self) -> dict:
        return {
            "severity": [self.cleaned_data.get(f"severity_{i}") for i in range(1, 5)],
            "interference": [self.cleaned_data.get(f"interference_{i}") for i in range(1, 8)],
        }


class PaperEQ5DForm(PaperReturnForm):
    instrument = Instrument.EQ5D5L
    value_set = forms.ChoiceField(
        label="Value set for the index",
        choices=list(VALUE_SET_LABELS.items()),
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for dim in EQ5D_DIMENSIONS:
            label, levels = EQ5D_TEXT[dim]
            self.fields[dim] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not answered")] + [(i, f"{i}: {text}") for i, text in enumerate(levels, start=1)],
                widget=forms.Select(attrs={"class": "nhsuk-select"}),
            )
        self.fields["vas"] = _number("Health scale (VAS)", 0, 100)

    def answers(self) -> dict:
        answers = {dim: self.cleaned_data.get(dim) for dim in EQ5D_DIMENSIONS}
        answers["vas"] = self.cleaned_data.get("vas")
        return answers


PAPER_FORMS = {Instrument.PSEQ: PaperPSEQForm, Instrument.BPI: PaperBPIForm, Instrument.EQ5D5L: PaperEQ5DForm}


def step_form_class(step: Step) -> type[forms.Form]:
    """A form for one page of the patient questionnaire. Every question may be left blank."""
    fields: dict[str, forms.Field] = {}
    for q in step.questions:
        if q.kind == "number":
            fields[q.name] = _number(q.label, 0, 100)
        elif q.kind == "text":
            fields[q.name] = forms.CharField(
                label=q.label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
            )
        else:
            typed = all(isinstance(value, int) for value, _ in q.choices)
            fields[q.name] = forms.TypedChoiceField(
                label=q.label,
                required=False,
                choices=[(str(v), text) for v, text in q.choices],
                coerce=int if typed else str,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"{q.label}: choose one of the answers shown."},
            )
    return type(f"{step.key.title()}Form", (forms.Form,), fields)


class FeedbackForm(forms.ModelForm):
    episode_ref = forms.IntegerField(
        label="Episode number",
        required=False,
        min_value=1,
        help_text="The episode ID, if the feedback is about a patient's care.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
    )

    class Meta:
        model = Feedback
        fields = ["kind", "received_on", "summary", "action_taken", "closed_on"]
        labels = {
            "kind": "Complaint or compliment",
            "received_on": "Date received",
            "summary": "What it says",
            "action_taken": "Action taken",
            "closed_on": "Date closed",
        }
        widgets = {
            "kind": forms.Select(attrs={"class": "nhsuk-select"}),
            "received_on": DATE_WIDGET,
            "closed_on": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 4}),
            "action_taken": forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
        }
