"""What every clinical-care page shares: the clinical-access checks and the episode form round trip."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from pathway import services as core
from pathway.access import access_clinical_episode, can_act_clinically
from pathway.errors import DomainError, InvalidInput, StaleVersion


def _clinical(user) -> None:
    if not can_act_clinically(user):
        raise PermissionDenied("Only clinicians and service leads may change an episode.")


def _episode_url(episode_id: int) -> str:
    return f"/care/episodes/{episode_id}/"


def _clinical_episode(user, pk):
    """The clinical record is for the service's staff; others get 404, as for what they may not see."""
    return access_clinical_episode(user, pk)


def _action(
    request,
    *,
    episode,
    form_class,
    title: str,
    perform: Callable[[dict], str],
    initial: dict | None = None,
    intro: str = "",
    extra: dict | None = None,
):
    """Show an episode form; on POST call the service and go back to the episode page.

    A stale version, a domain conflict or bad input leaves the form on screen with an error
    summary, and nothing is written.
    """
    _clinical(request.user)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                done = perform(form.cleaned_data)
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
                status = 409
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = 409
            else:
                messages.success(request, done)
                return redirect(_episode_url(episode.pk))
        else:
            status = 400
    else:
        form = form_class(initial={"version": episode.version, **(initial or {})})
        core.record_view(user=request.user, episode=episode, path=request.path)
    context = {"episode": episode, "patient": episode.patient, "form": form, "title": title, "intro": intro}
    context.update(extra or {})
    return render(request, "careplans/action_form.html", context, status=status)


def _expected(data: dict) -> int:
    return data.pop("version")
