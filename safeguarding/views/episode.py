"""The episode's page of safeguarding concerns and significant events; the lead closes and reviews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pathway import services as core
from pathway.access import access_clinical_episode, access_episode_object, has_role
from pathway.forms import form_submit as submit
from pathway.models import Role

from .. import forms, services
from ..models import Incident, SafeguardingConcern


def _render(request, episode, status=200, **bound):
    context = {
        "episode": episode,
        "patient": episode.patient,
        "concerns": episode.safeguarding_concerns.select_related("raised_by", "closed_by").order_by("-raised_on"),
        "incidents": episode.incidents.select_related("recorded_by", "reviewed_by").order_by("-on", "-id"),
        "concern_form": bound.get("concern_form") or forms.ConcernForm(),
        "incident_form": bound.get("incident_form") or forms.IncidentForm(),
        "is_lead": has_role(request.user, Role.SERVICE_LEAD),
        "close_form": forms.CloseConcernForm(),
        "review_form": forms.ReviewForm(),
        "form": next(iter(bound.values()), None),
    }
    return render(request, "safeguarding/episode.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def episode_page(request, pk):
    episode = access_clinical_episode(request.user, pk)
    if request.method == "GET":
        core.record_view(user=request.user, episode=episode, path=request.path)
        return _render(request, episode)
    if request.POST.get("record") == "incident":
        form = forms.IncidentForm(request.POST)
        done, status = submit(form, lambda data: services.incident_record(episode=episode, actor=request.user, **data))
        if status != 200:
            return _render(request, episode, status, incident_form=form)
        messages.success(request, f"{done.get_kind_display()} recorded.")
    else:
        form = forms.ConcernForm(request.POST)
        done, status = submit(
            form, lambda data: services.safeguarding_concern_raise(episode=episode, actor=request.user, **data)
        )
        if status != 200:
            return _render(request, episode, status, concern_form=form)
        messages.success(
            request, "Safeguarding concern recorded. The service lead has it as a task until it is closed."
        )
    return redirect("safeguarding-episode", pk=episode.pk)


def _for_lead(request, model, pk):
    obj = access_episode_object(request.user, model, pk)
    if not has_role(request.user, Role.SERVICE_LEAD):
        raise Http404("No such page.")
    return obj


@login_required
@require_POST
def concern_close(request, pk):
    concern = _for_lead(request, SafeguardingConcern, pk)
    form = forms.CloseConcernForm(request.POST)
    done, status = submit(
        form, lambda data: services.safeguarding_concern_close(concern=concern, actor=request.user, **data)
    )
    if status != 200:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, "Safeguarding concern closed.")
    return redirect("safeguarding-episode", pk=concern.episode_id)


@login_required
@require_POST
def incident_review(request, pk):
    incident = _for_lead(request, Incident, pk)
    form = forms.ReviewForm(request.POST)
    done, status = submit(form, lambda data: services.incident_review(incident=incident, actor=request.user, **data))
    if status != 200:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, "Review recorded.")
    return redirect("safeguarding-episode", pk=incident.episode_id)
