"""Form helpers shared by every app."""

from django import forms


class NhsFormMixin:
    """NHS.UK classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "nhsuk-checkboxes__input"
            elif isinstance(widget, forms.RadioSelect):
                css = "nhsuk-radios__input"
            elif isinstance(widget, forms.Textarea):
                css = "nhsuk-textarea"
            elif isinstance(widget, forms.Select):
                css = "nhsuk-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "nhsuk-input"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-hint")
