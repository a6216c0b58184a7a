"""The patient's page of communication needs, consent and carers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pathway import services as core
from pathway.access import access_patient, may_read_clinical
from pathway.forms import form_submit as submit

from .. import forms, selectors, services


def _patient(request, pk):
    if not may_read_clinical(request.user):
        raise Http404("No such patient.")
    return access_patient(request.user, pk)


def _render(request, patient, status=200, **bound):
    needs = selectors.communication_needs(patient)
    initial = {
        "communication_format": needs.format,
        "interpreter_needed": patient.interpreter_needed,
        "language": patient.interpreter_language,
        "hearing_impairment": needs.hearing_impairment,
        "visual_impairment": needs.visual_impairment,
        "learning_disability": needs.learning_disability,
        "needs": needs.needs,
    }
    context = {
        "patient": patient,
        "in_force": sorted(selectors.consents_in_force(patient).values(), key=lambda c: c.scope),
        "consents": patient.consents.select_related("recorded_by").order_by("-on", "-id")[:50],
        "carers": patient.carers.order_by("id"),
        "communication_form": bound.get("communication_form") or forms.CommunicationForm(initial=initial),
        "consent_form": bound.get("consent_form") or forms.ConsentForm(),
        "carer_form": bound.get("carer_form") or forms.CarerForm(),
        "form": next(iter(bound.values()), None),
    }
    return render(request, "safeguarding/patient.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def patient_page(request, pk):
    patient = _patient(request, pk)
    core.record_view(user=request.user, patient=patient, path=request.path)
    return _render(request, patient)


@login_required
@require_POST
def communication_edit(request, pk):
    patient = _patient(request, pk)
    form = forms.CommunicationForm(request.POST)
    done, status = submit(
        form, lambda data: services.communication_needs_update(patient=patient, actor=request.user, **data)
    )
    if status != 200:
        return _render(request, patient, status, communication_form=form)
    messages.success(request, "Communication needs saved.")
    return redirect("safeguarding-patient", pk=patient.pk)


@login_required
@require_POST
def consent_new(request, pk):
    patient = _patient(request, pk)
    form = forms.ConsentForm(request.POST)
    done, status = submit(form, lambda data: services.consent_record(patient=patient, actor=request.user, **data))
    if status != 200:
        return _render(request, patient, status, consent_form=form)
    messages.success(request, "Consent recorded.")
    return redirect("safeguarding-patient", pk=patient.pk)


@login_required
@require_POST
def carer_new(request, pk):
    patient = _patient(request, pk)
    form = forms.CarerForm(request.POST)
    done, status = submit(form, lambda data: services.carer_add(patient=patient, actor=request.user, **data))
    if status != 200:
        return _render(request, patient, status, carer_form=form)
    messages.success(request, "Carer added.")
    return redirect("safeguarding-patient", pk=patient.pk)
