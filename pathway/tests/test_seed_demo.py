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


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2026-12-02 09:00 +00:00", "2027-03-14 09:00 +00:00"])  # a Wednesday, a Sunday
def test_seed_demo_queue_is_mostly_on_time_whatever_day_it_runs(day):
    """As found: 30 of the 33 referrals waiting in the demo queue were breached by months."""
    import time_machine
    from django.db.models import Count, Q

    from pathway.services import today_london
    from referrals.models import Referral

    with time_machine.travel(day, tick=False):
        call_command("seed_demo", patients=300)
        today = today_london()
        queue = Referral.objects.filter(episode__state=EpisodeState.TRIAGE).aggregate(
            waiting=Count("pk"),
            breached=Count("pk", filter=Q(episode__triage_due_on__lt=today)),
            due_today=Count("pk", filter=Q(episode__triage_due_on=today)),
        )
    assert queue["waiting"] >= 15
    assert 1 <= queue["breached"] <= queue["waiting"] // 4, queue  # a few breached, most on time
    assert queue["due_today"] >= 1 or day.startswith("2027-03-14"), queue  # nothing is due on a Sunday
