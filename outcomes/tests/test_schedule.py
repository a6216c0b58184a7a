"""The PROM schedule: links created when due, sent once, reminded once, idempotent."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from outcomes import tasks
from outcomes.models import PromInvitation
from outcomes.services import token_hash

from .factories import accepted_episode, discharged_episode

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 7, minute: int = 30):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def run_on(day: date, django_capture_on_commit_callbacks):
    with time_machine.travel(at(day), tick=False), django_capture_on_commit_callbacks(execute=True):
        return tasks.run_prom_schedule.delay().get()


def test_followup_link_created_exactly_three_months_after_discharge_and_reminded_after_seven_days(
    django_capture_on_commit_callbacks, prom_outbox
):
    # Discharged on Monday 31 Aug 2026 (a bank holiday: the calendar does not matter here).
    with time_machine.travel(at(date(2026, 8, 31)), tick=False):
        episode = discharged_episode(discharged_on=date(2026, 8, 31), email="pat@example.invalid")
    run_on(date(2026, 8, 31), django_capture_on_commit_callbacks)
    assert PromInvitation.objects.get(episode=episode).timepoint == "discharge"

    # The day before three months: no follow-up yet.
    counts = run_on(date(2026, 11, 29), django_capture_on_commit_callbacks)
    assert counts["followup"] == 0
    assert not PromInvitation.objects.filter(episode=episode, timepoint="followup").exists()

    # 30 Nov 2026 is add_months(31 Aug, 3) (clamped to the month's end): created and sent that day.
    counts = run_on(date(2026, 11, 30), django_capture_on_commit_callbacks)
    assert counts["followup"] == 1
    followup = PromInvitation.objects.get(episode=episode, timepoint="followup")
    assert followup.due_on == date(2026, 11, 30)
    assert followup.sent_at is not None and followup.channel == "email"
    sent = [m for m in prom_outbox if m.invitation_id == followup.pk]
    assert len(sent) == 1 and sent[0].to == "pat@example.invalid"
    token = sent[0].body.split("/outcomes/q/")[1].split("/")[0]
    assert followup.token_hash == token_hash(token)
    assert token not in str(PromInvitation.objects.filter(pk=followup.pk).values().get())

    # Running again the same day changes nothing.
    assert run_on(date(2026, 11, 30), django_capture_on_commit_callbacks) == {
        "entry": 0,
        "discharge": 0,
        "followup": 0,
        "reminders": 0,
    }
    # No reminder on day 6; on day 7 one reminder, carrying the same link.
    assert run_on(date(2026, 12, 6), django_capture_on_commit_callbacks)["reminders"] == 0
    assert run_on(date(2026, 12, 7), django_capture_on_commit_callbacks)["reminders"] == 1
    followup.refresh_from_db()
    assert followup.reminder_sent_at is not None
    reminders = [m for m in prom_outbox if m.invitation_id == followup.pk and m.subject.startswith("Reminder")]
    assert len(reminders) == 1
    new_token = reminders[0].body.split("/outcomes/q/")[1].split("/")[0]
    assert new_token == token and followup.token_hash == token_hash(token)
    # Only once.
    assert run_on(date(2026, 12, 8), django_capture_on_commit_callbacks)["reminders"] == 0
    assert PromInvitation.objects.filter(episode=episode).count() == 2


def test_followup_not_created_before_its_date_for_a_discharge_on_the_30th(django_capture_on_commit_callbacks):
    episode = discharged_episode(discharged_on=date(2026, 9, 30))
    assert run_on(date(2026, 12, 29), django_capture_on_commit_callbacks)["followup"] == 0
    assert run_on(date(2026, 12, 30), django_capture_on_commit_callbacks)["followup"] == 1
    assert PromInvitation.objects.get(episode=episode, timepoint="followup").due_on == date(2026, 12, 30)


def test_entry_link_for_accepted_episode_once_and_sms_when_no_email(django_capture_on_commit_callbacks, prom_outbox):
    episode = accepted_episode(phone="07700 900123")
    counts = run_on(date(2026, 10, 5), django_capture_on_commit_callbacks)
    assert counts["entry"] == 1
    invitation = PromInvitation.objects.get(episode=episode)
    assert invitation.timepoint == "entry" and invitation.channel == "sms"
    assert invitation.instruments == ["PSEQ", "BPI", "EQ5D5L"]
    assert [m.to for m in prom_outbox] == ["07700 900123"]
    assert run_on(date(2026, 10, 6), django_capture_on_commit_callbacks)["entry"] == 0
    assert len(prom_outbox) == 1


def test_no_entry_link_when_entry_scores_already_keyed_in(django_capture_on_commit_callbacks, service_lead):
    from outcomes.services import prom_response_create

    episode = accepted_episode()
    with time_machine.travel(at(date(2026, 10, 5)), tick=False):
        prom_response_create(episode=episode, instrument="PSEQ", timepoint="entry", answers={"items": [2] * 10})
    assert run_on(date(2026, 10, 5), django_capture_on_commit_callbacks)["entry"] == 0


def test_patient_without_email_or_phone_gets_no_message(django_capture_on_commit_callbacks, prom_outbox):
    episode = accepted_episode()
    run_on(date(2026, 10, 5), django_capture_on_commit_callbacks)
    invitation = PromInvitation.objects.get(episode=episode)
    assert invitation.channel == "none" and invitation.sent_at is None and prom_outbox == []


def test_no_reminder_when_answered_on_paper(django_capture_on_commit_callbacks, prom_outbox):
    from outcomes.services import prom_response_create

    episode = accepted_episode(email="p@example.invalid")
    run_on(date(2026, 10, 5), django_capture_on_commit_callbacks)
    with time_machine.travel(at(date(2026, 10, 8)), tick=False):
        prom_response_create(episode=episode, instrument="PSEQ", timepoint="entry", answers={"items": [2] * 10})
        prom_response_create(
            episode=episode,
            instrument="BPI",
            timepoint="entry",
            answers={"severity": [5, 5, 5, 5], "interference": [5] * 7},
        )
        eq = {"mobility": 1, "self_care": 1, "usual_activities": 1, "pain_discomfort": 1, "anxiety_depression": 1}
        prom_response_create(episode=episode, instrument="EQ5D5L", timepoint="entry", answers={**eq, "vas": 90})
    assert run_on(date(2026, 10, 12), django_capture_on_commit_callbacks)["reminders"] == 0
    assert len(prom_outbox) == 1


def test_discharge_link_only_within_link_life(django_capture_on_commit_callbacks):
    old = discharged_episode(discharged_on=date(2026, 6, 1))
    recent = discharged_episode(discharged_on=date(2026, 10, 1))
    run_on(date(2026, 10, 2), django_capture_on_commit_callbacks)
    assert not PromInvitation.objects.filter(episode=old).exists()
    assert PromInvitation.objects.get(episode=recent).timepoint == "discharge"


def test_no_discharge_or_followup_link_when_the_patient_died(django_capture_on_commit_callbacks, prom_outbox):
    episode = discharged_episode(discharged_on=date(2026, 9, 1), reason="died", email="p@example.invalid")
    run_on(date(2026, 9, 1), django_capture_on_commit_callbacks)
    run_on(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert not PromInvitation.objects.filter(episode=episode).exists() and prom_outbox == []
