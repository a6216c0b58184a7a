"""The GP practice's letters inbox: as found, nothing linked a practice to its letters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pathway import services
from pathway.models import Letter, LetterKind, LetterState
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db


def delivered(episode, kind, sent_ago_days):
    letter = services.letter_create(kind=kind, episode=episode)
    Letter.objects.filter(pk=letter.pk).update(
        state=LetterState.SENT, sent_at=timezone.now() - timedelta(days=sent_ago_days)
    )
    return letter


def test_practice_home_and_inbox_list_letters_newest_first_and_mark_unread_until_opened(client, gp_user, practice):
    episode = f.open_episode(patient=f.PatientFactory(practice=practice))
    older = delivered(episode, LetterKind.TRIAGE_OUTCOME, 5)
    newer = delivered(episode, LetterKind.DISCHARGE, 1)
    services.letter_create(kind=LetterKind.OPIOID_ALERT, episode=episode)  # a draft: not the practice's yet
    other = delivered(f.open_episode(), LetterKind.DISCHARGE, 1)  # another practice's
    client.force_login(gp_user)

    home = client.get("/referrals/").content.decode()
    assert "Letters inbox: 2 unread" in home and "/letters/inbox/" in home
    inbox = client.get("/letters/inbox/").content.decode()
    assert "2 unread" in inbox
    assert inbox.index(f"/letters/{newer.pk}/") < inbox.index(f"/letters/{older.pk}/")
    assert f"/letters/{other.pk}/" not in inbox and "Opioid alert" not in inbox
    assert inbox.count(">Unread</strong>") == 2

    assert client.get(f"/letters/{newer.pk}/").status_code == 200
    inbox = client.get("/letters/inbox/").content.decode()
    assert "1 unread" in inbox and inbox.count(">Unread</strong>") == 1 and inbox.count(">Read</strong>") == 1
    assert "Letters inbox: 1 unread" in client.get("/referrals/").content.decode()


def test_referral_and_patient_pages_link_the_letters(client, gp_user, practice):
    from referrals.tests.factories import make_referral

    referral = make_referral(practice=practice)
    client.force_login(gp_user)
    link = f"/letters/episode/{referral.episode_id}/"
    assert link in client.get(f"/referrals/{referral.pk}/").content.decode()
    assert link in client.get(f"/patients/{referral.patient_id}/").content.decode()
    assert client.get(link).status_code == 200


def test_inbox_is_only_for_gp_practices(client, clinician):
    client.force_login(clinician)
    assert client.get("/letters/inbox/").status_code == 404
