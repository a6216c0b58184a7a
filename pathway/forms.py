"""Form helpers shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """A native date picker. Its value must be ISO ``YYYY-MM-DD``: with the en-gb locale Django would
    render ``02/12/2026``, which Chromium shows as blank and then posts as nothing ("This field is required")."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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


def form_submit(form, call):
    """Run ``call(form.cleaned_data)`` (a service) for a valid form. Returns (result, status): 200 when
    done; else 400 or 409 with the service's errors on the form's fields (or the form as a whole)."""
    from .errors import DomainError, InvalidInput

    if not form.is_valid():
        return None, 400
    try:
        return call(form.cleaned_data), 200
    except InvalidInput as exc:
        for field, errors in exc.errors.items():
            form.add_error(field if field in form.fields else None, errors)
        return None, 400
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return None, 409
