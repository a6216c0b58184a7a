"""Group sessions: the list, a session's register and booking into it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from pathway.access import access_episode, can_act_clinically, episodes_visible_to
from pathway.errors import DomainError, InvalidInput

from .. import forms, selectors, services
from ..models import Appointment, GroupSession


@login_required
@require_http_methods(["GET", "POST"])
def group_list(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    form = forms.GroupSessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session = services.group_session_create(facilitator=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Group session {session.name} created.")
                return redirect(f"/care/groups/{session.pk}/")
        status = 400
    page = Paginator(selectors.group_sessions(), 25).get_page(request.GET.get("page"))
    return render(request, "careplans/groups.html", {"page": page, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request, pk):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    session = get_object_or_404(GroupSession, pk=pk)
    form = forms.GroupBookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                episode = access_episode(request.user, form.cleaned_data["episode"])
            except Http404:
                form.add_error("episode", "No episode with that number that you can see.")
            else:
                try:
                    services.appointment_book(
                        episode=episode,
                        kind=Appointment.Kind.GROUP,
                        date=session.date,
                        group_session=session,
                        clinician=request.user,
                        actor=request.user,
                    )
                except InvalidInput as exc:
                    for errors in exc.errors.values():
                        form.add_error("episode", errors)
                except DomainError as exc:
                    form.add_error("episode", exc.detail)
                else:
                    messages.success(request, f"{episode.reference} booked into the session.")
                    return redirect(f"/care/groups/{session.pk}/")
        status = 400
    register = list(selectors.group_register(session))
    visible = set(
        episodes_visible_to(request.user).filter(pk__in=[a.episode_id for a in register]).values_list("pk", flat=True)
    )
    booked = [a for a in register if a.outcome not in Appointment.CANCELLED]
    context = {
        "session": session,
        "register": [(a, a.episode_id in visible) for a in register],
        "booked": len(booked),
        "places_left": max(0, session.capacity - len(booked)),
        "form": form,
    }
    return render(request, "careplans/group_detail.html", context, status=status)
