"""Forms of the programme pages (the services validate the rules)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from pathway.forms import NhsFormMixin

from .models import Programme, Signpost


class ProgrammeForm(NhsFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=120, help_text="For example PMP spring, Tuesdays")
    kind = forms.ChoiceField(label="Kind", choices=Programme.Kind.choices, widget=forms.RadioSelect)
    mode = forms.ChoiceField(label="Mode", choices=Programme.Mode.choices, widget=forms.RadioSelect)
    capacity = forms.IntegerField(label="Places", required=False, help_text="Leave empty for the usual number")
    sessions = forms.CharField(
        label="Sessions",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: the date (YYYY-MM-DD) and the hours, for example 2027-01-12 3",
    )

    def clean_sessions(self):
        sessions, problems = [], []
        for n, line in enumerate(text for text in self.cleaned_data["sessions"].splitlines() if text.strip()):
            parts = line.replace(",", " ").split()
            try:
                sessions.append({"date": date.fromisoformat(parts[0]), "hours": Decimal(parts[1])})
            except (IndexError, ValueError, InvalidOperation):
                problems.append(f"Line {n + 1}: write the date as YYYY-MM-DD, then the hours.")
        if problems:
            raise forms.ValidationError(problems)
        return sessions


class EnrolForm(NhsFormMixin, forms.Form):
    programme = forms.ModelChoiceField(label="Programme", queryset=Programme.objects.none(), empty_label=None)
    waiting_list = forms.BooleanField(
        label="If it is full, add the patient to the waiting list", required=False, initial=True
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes if programmes is not None else Programme.objects.all()


class SignpostForm(NhsFormMixin, forms.Form):
    resource = forms.ModelChoiceField(label="Resource", queryset=None, empty_label=None)
    context = forms.ChoiceField(label="Given with", choices=Signpost.Context.choices, widget=forms.RadioSelect)

    def __init__(self, *args, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources


class NoteForm(NhsFormMixin, forms.Form):
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(NhsFormMixin, forms.Form):
    reason = forms.CharField(label="Why the patient leaves", widget=forms.Textarea(attrs={"rows": 2}))
