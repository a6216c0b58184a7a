import pytest
from django.core.management import call_command

from pathway.models import Episode, EpisodeState, Patient


@pytest.mark.django_db
def test_seed_demo_runs_twice_without_duplicates():
    call_command("seed_demo", patients=60)
    patients, episodes = Patient.objects.count(), Episode.objects.count()
    assert patients == 60
    assert episodes >= 60
    states = set(Episode.objects.values_list("state", flat=True))
    assert {EpisodeState.TRIAGE, EpisodeState.ACCEPTED, EpisodeState.DISCHARGED} <= states
    call_command("seed_demo", patients=60)
    assert (Patient.objects.count(), Episode.objects.count()) == (patients, episodes)
