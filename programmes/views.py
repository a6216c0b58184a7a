"""Pages: programmes (create, register), a patient's programmes and signposting, follow-up tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pathway import services as core
from pathway.access import access_clinical_episode
from pathway.errors import DomainError
from pathway.forms import form_submit as submit

from . import forms, selectors, services
from .access import access_enrolment, access_programme, require_programme_staff
from .models import Enrolment


@login_required
@require_http_methods(["GET", "POST"])
def programme_list(request):
    require_programme_staff(request.user)
    form = forms.ProgrammeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda data: services.programme_create(actor=request.user, **data))
        if status == 200:
            messages.success(request, f"{done.name} created.")
            return redirect("programme-detail", pk=done.pk)
    page = Paginator(selectors.programmes_with_places(), 25).get_page(request.GET.get("page"))
    return render(request, "programmes/list.html", {"page": page, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail(request, pk):
    """The programme, its sessions and the register: one form per session that has happened."""
    programme = access_programme(request.user, pk)
    roster = list(selectors.roster(request.user, programme))
    enrolled = [e for e in roster if e.status == Enrolment.Status.ENROLLED]
    if request.method == "POST":
        session = programme.sessions.filter(number=request.POST.get("session") or 0).first()
        if session is None:
            raise Http404("No such session.")
        recorded, refused = 0, []
        for enrolment in enrolled:
            answer = request.POST.get(f"attended_{enrolment.pk}")
            if answer not in ("yes", "no"):
                continue
            try:
                services.attendance_record(
                    programme=programme,
                    session=session,
                    episode=enrolment.episode,
                    attended=answer == "yes",
                    actor=request.user,
                )
            except DomainError as exc:
                refused.append(exc.detail.removeprefix("attended: "))
            else:
                recorded += 1
        if refused:
            messages.error(request, " ".join(dict.fromkeys(refused)))
        if recorded:
            messages.success(request, f"Attendance recorded for {recorded} patient{'s' if recorded != 1 else ''}.")
        return redirect("programme-detail", pk=programme.pk)
    register = {(a.enrolment_id, a.session_id): a.attended for e in roster for a in e.attendances.all()}
    sessions = list(programme.sessions.all())
    rows = [{"enrolment": e, "marks": [register.get((e.pk, s.pk)) for s in sessions]} for e in roster]
    context = {
        "programme": programme,
        "sessions": sessions,
        "rows": rows,
        "today": core.today_london(),
        "enrolled": enrolled,
    }
    return render(request, "programmes/detail.html", context)


def _episode_context(request, episode, **bound):
    return {
        "episode": episode,
        "patient": episode.patient,
        "rows": selectors.episode_programmes(episode),
        "signposts": selectors.episode_signposts(episode.pk),
        "enrol_form": bound.get("enrol_form") or forms.EnrolForm(programmes=selectors.programmes_with_places()),
        "signpost_form": bound.get("signpost_form") or forms.SignpostForm(resources=selectors.active_resources()),
        "form": next(iter(bound.values()), None),
    }


@login_required
@require_http_methods(["GET", "POST"])
def episode_programmes(request, pk):
    """The patient's programmes (hours against the programme's) and signposted resources."""
    require_programme_staff(request.user)
    episode = access_clinical_episode(request.user, pk)
    if request.method == "GET":
        core.record_view(user=request.user, episode=episode, path=request.path)
        return render(request, "programmes/episode.html", _episode_context(request, episode))
    if request.POST.get("action") == "signpost":
        form = forms.SignpostForm(request.POST, resources=selectors.active_resources())
        done, status = submit(
            form,
            lambda data: services.signpost_attach(
                episode=episode, resource=data["resource"], context=data["context"], actor=request.user
            ),
        )
        bound = {"signpost_form": form}
        success = "Resource attached: it is printed in the patient's letters."
    else:
        form = forms.EnrolForm(request.POST, programmes=selectors.programmes_with_places())
        done, status = submit(
            form,
            lambda data: services.programme_enrol(
                programme=data["programme"], episode=episode, actor=request.user, waiting_list=data["waiting_list"]
            ),
        )
        bound = {"enrol_form": form}
        success = done and f"{done.get_status_display()}: {done.programme.name}."
    if status != 200:
        return render(request, "programmes/episode.html", _episode_context(request, episode, **bound), status=status)
    messages.success(request, success)
    return redirect("programmes-episode", pk=episode.pk)


@login_required
@require_POST
def follow_up_done(request, pk):
    enrolment = access_enrolment(request.user, pk)
    form = forms.NoteForm(request.POST)
    _, status = submit(
        form, lambda data: services.missed_task_complete(enrolment=enrolment, actor=request.user, **data)
    )
    if status != 200:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        messages.success(request, "Follow-up recorded.")
    return redirect("programmes-episode", pk=enrolment.episode_id)


@login_required
@require_POST
def withdraw(request, pk):
    enrolment = access_enrolment(request.user, pk)
    form = forms.WithdrawForm(request.POST)
    _, status = submit(form, lambda data: services.enrolment_withdraw(enrolment=enrolment, actor=request.user, **data))
    if status != 200:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        messages.success(request, f"The patient has left {enrolment.programme.name}.")
    return redirect("programmes-episode", pk=enrolment.episode_id)
