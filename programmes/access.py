"""Who may see programmes: clinicians and the lead run them; to anyone else they do not exist (404).

A programme's roster and a patient's enrolment are checked through the episode (pathway.access).
"""

from django.http import Http404

from pathway.access import access_clinical_episode, can_act_clinically

from .models import Enrolment, Programme
from .selectors import programmes_with_places


def require_programme_staff(user) -> None:
    if not can_act_clinically(user):
        raise Http404("No such programme.")


def access_programme(user, pk) -> Programme:
    require_programme_staff(user)
    programme = programmes_with_places().filter(pk=pk).first()
    if programme is None:
        raise Http404("No such programme.")
    return programme


def access_enrolment(user, pk) -> Enrolment:
    require_programme_staff(user)
    enrolment = Enrolment.objects.select_related("programme").filter(pk=pk).first()
    if enrolment is None:
        raise Http404("No such enrolment.")
    enrolment.episode = access_clinical_episode(user, enrolment.episode_id)
    return enrolment
