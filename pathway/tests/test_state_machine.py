import threading
from datetime import date

import pytest
from django.db import connection, transaction

from pathway import services
from pathway.errors import OpenEpisodeExists, StaleVersion, TransitionNotAllowed, UnknownState
from pathway.models import Episode, EpisodeState, PathwayEvent
from pathway.services import ALLOWED
from pathway.tests import factories as f

ALL_STATES = list(EpisodeState.values)
PAIRS = [(a, b) for a in ALL_STATES for b in ALL_STATES]


def episode_in(state: str) -> Episode:
    """An episode placed in ``state`` through allowed transitions only."""
    episode = f.open_episode()
    routes = {
        "triage": [],
        "info_requested": ["info_requested"],
        "accepted": ["accepted"],
        "assessment": ["accepted", "assessment"],
        "treatment": ["accepted", "assessment", "treatment"],
        "discharged": ["discharged"],
        "rejected": ["rejected"],
        "redirected": ["redirected"],
    }
    for step in routes[state]:
        services.episode_transition(episode=episode, to=step, reason="setup")
    episode.refresh_from_db()
    return episode


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_every_pair_of_states(old, new):
    episode = episode_in(old)
    events_before = PathwayEvent.objects.filter(episode=episode).count()
    version_before = episode.version
    if new in ALLOWED[old]:
        services.episode_transition(episode=episode, to=new, reason="because")
        episode.refresh_from_db()
        assert episode.state == new
        assert episode.version == version_before + 1
        new_events = PathwayEvent.objects.filter(episode=episode, kind="transition").order_by("-id")
        assert PathwayEvent.objects.filter(episode=episode).count() >= events_before + 1
        latest = new_events.first()
        assert (latest.old_state, latest.new_state, latest.reason) == (old, new, "because")
    else:
        with pytest.raises(TransitionNotAllowed) as exc:
            services.episode_transition(episode=episode, to=new, reason="because")
        assert old in exc.value.detail and new in exc.value.detail
        episode.refresh_from_db()
        assert episode.state == old
        assert episode.version == version_before
        assert PathwayEvent.objects.filter(episode=episode).count() == events_before


@pytest.mark.django_db
def test_unknown_state_is_refused_and_nothing_written():
    episode = f.open_episode()
    count = PathwayEvent.objects.count()
    with pytest.raises(UnknownState):
        services.episode_transition(episode=episode, to="limbo")
    assert PathwayEvent.objects.count() == count


@pytest.mark.django_db
def test_stale_version_is_refused():
    episode = f.open_episode()
    services.episode_transition(episode=episode, to="accepted", expected_version=1)
    with pytest.raises(StaleVersion):
        services.episode_transition(episode=episode.pk, to="assessment", expected_version=1)
    assert Episode.objects.get(pk=episode.pk).state == "accepted"


@pytest.mark.django_db
def test_second_open_episode_is_refused():
    episode = f.open_episode()
    with pytest.raises(OpenEpisodeExists):
        f.open_episode(patient=episode.patient)
    assert Episode.objects.filter(patient=episode.patient).count() == 1


@pytest.mark.django_db
def test_closed_episode_allows_a_new_one():
    episode = f.open_episode()
    services.episode_transition(episode=episode, to="rejected")
    again = f.open_episode(patient=episode.patient, received_on=date(2026, 11, 2))
    assert again.state == "triage"


@pytest.mark.django_db
def test_open_episode_starts_rtt_clock_and_deadline():
    episode = f.open_episode(received_on=date(2026, 12, 24))
    period = episode.rtt_periods.get()
    assert period.clock_start == date(2026, 12, 24)
    deadline = episode.deadlines.get(kind="rtt")
    assert deadline.due_on == date(2027, 4, 29)


@pytest.mark.django_db
def test_closing_an_episode_cancels_its_clock_deadlines():
    episode = f.open_episode()
    services.episode_transition(episode=episode, to="redirected")
    assert not episode.deadlines.open().filter(kind="rtt").exists()


@pytest.mark.django_db
def test_events_are_append_only():
    episode = f.open_episode()
    event = episode.events.first()
    event.reason = "changed"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_one_episode_exactly_one_wins(on_postgres):
    episode = f.open_episode()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(target: str) -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                services.episode_transition(episode=episode.pk, to=target, expected_version=1)
            results.append("ok")
        except (TransitionNotAllowed, StaleVersion):
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in ("accepted", "rejected")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == ["ok", "refused"]
    episode.refresh_from_db()
    assert episode.state in {"accepted", "rejected"}
    assert episode.version == 2
    assert episode.events.filter(kind="transition", old_state="triage").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_second_open_episode_is_refused(on_postgres):
    patient = f.PatientFactory()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                services.episode_open(patient=patient, practice=patient.practice, received_on=date(2026, 11, 2))
            results.append("ok")
        except OpenEpisodeExists:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == ["ok", "refused"]
    assert Episode.objects.filter(patient=patient).count() == 1
