import threading
from datetime import date

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pathway import services as core
from pathway.errors import InvalidInput
from pathway.models import Deadline, Letter, PathwayEvent
from pathway.tests import factories as f
from referrals.models import Referral
from referrals.tests.factories import make_referral
from triage import services
from triage.models import RedFlagClearance, TriageDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False):
        yield


def decide(client, episode_id, **body):
    return client.post(f"/api/v1/episodes/{episode_id}/triage/", body, format="json")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 12, 24), date(2026, 12, 30)),  # Thu before Christmas and Boxing Day (substitute Mon 28)
        (date(2026, 12, 23), date(2026, 12, 29)),
        (date(2027, 3, 25), date(2027, 3, 31)),  # Good Friday 26 Mar, Easter Monday 29 Mar 2027
        (date(2026, 8, 28), date(2026, 9, 2)),  # Fri before the August bank holiday
        (date(2026, 12, 31), date(2027, 1, 5)),  # New Year's Day
        (date(2026, 11, 6), date(2026, 11, 10)),  # an ordinary Friday
    ],
)
def test_triage_due_two_working_days_after_receipt_across_bank_holidays(received, due):
    with time_machine.travel("2027-04-01 10:00 +01:00", tick=False):
        referral = make_referral(received_on=received)
    assert referral.triage_due_on == due
    assert referral.episode.deadlines.get(kind="triage").due_on == due


def test_queue_puts_palliative_then_urgent_first_then_due_date_then_received(api_as, spa_user, frozen):
    practice = f.PracticeFactory()
    routine_old = make_referral(practice=practice, received_on=date(2026, 10, 26))
    routine_new = make_referral(practice=practice, received_on=date(2026, 11, 3))
    urgent_new = make_referral(practice=practice, received_on=date(2026, 11, 4), urgency="urgent")
    urgent_old = make_referral(practice=practice, received_on=date(2026, 11, 2), urgency="urgent")
    palliative = make_referral(
        practice=practice, received_on=date(2026, 11, 4), urgency="palliative", referrer_type="oncologist"
    )
    # Same due date (Fri 31 Oct and Sat 1 Nov both fall due on Tue 4 Nov): received date breaks the tie.
    sat = make_referral(practice=practice, received_on=date(2026, 10, 31))
    fri = make_referral(practice=practice, received_on=date(2026, 10, 30))
    accepted = make_referral(practice=practice, received_on=date(2026, 10, 20))
    services.triage_decide(episode=accepted.episode, outcome="accept", tier=2, team=f.TeamFactory(), actor=spa_user)
    body = api_as(spa_user).get("/api/v1/triage/queue/").json()
    order = [row["referral_id"] for row in body["results"]]
    assert order == [r.pk for r in (palliative, urgent_old, urgent_new, routine_old, fri, sat, routine_new)]
    first_routine = body["results"][3]
    assert first_routine["triage_due_on"] == "2026-10-28"
    assert first_routine["breached"] is True and first_routine["days_left"] == -5
    assert body["results"][-1]["days_left"] == 1 and body["results"][-1]["breached"] is False


def test_queue_query_count_does_not_grow_with_rows(api_as, spa_user, frozen, django_assert_max_num_queries):
    practice = f.PracticeFactory()
    for n in range(6):
        make_referral(practice=practice, received_on=date(2026, 11, 2), red_flags=["fracture"] if n % 2 else [])
    with django_assert_max_num_queries(8):
        body = api_as(spa_user).get("/api/v1/triage/queue/").json()
    assert body["count"] == 6


def test_queue_is_for_triage_staff_only(api_as, gp_user, clinician, frozen):
    assert api_as(gp_user).get("/api/v1/triage/queue/").status_code == 403
    assert api_as(clinician).post("/api/v1/triage/next/").status_code == 403


def test_next_claims_in_queue_order_and_returns_held_claim(api_as, spa_user, frozen):
    other = f.UserFactory(role="spa_triage")
    routine = make_referral(received_on=date(2026, 11, 2))
    urgent = make_referral(received_on=date(2026, 11, 3), urgency="urgent")
    mine = api_as(spa_user).post("/api/v1/triage/next/")
    assert mine.status_code == 200 and mine.json()["referral_id"] == urgent.pk
    assert mine.json()["claimed_by"] == spa_user.username
    assert api_as(spa_user).post("/api/v1/triage/next/").json()["referral_id"] == urgent.pk
    assert api_as(other).post("/api/v1/triage/next/").json()["referral_id"] == routine.pk
    third = f.UserFactory(role="spa_triage")
    assert api_as(third).post("/api/v1/triage/next/").status_code == 204


def test_release_returns_the_referral_to_the_queue(api_as, spa_user, frozen):
    referral = make_referral(received_on=date(2026, 11, 2))
    other = f.UserFactory(role="spa_triage")
    api_as(spa_user).post("/api/v1/triage/next/")
    refused = api_as(other).post(f"/api/v1/triage/referrals/{referral.pk}/release/")
    assert refused.status_code == 409 and refused.json()["code"] == "claimed"
    assert api_as(spa_user).post(f"/api/v1/triage/referrals/{referral.pk}/release/").status_code == 200
    assert Referral.objects.get().claimed_by is None
    assert api_as(other).post("/api/v1/triage/next/").json()["referral_id"] == referral.pk


def test_only_the_spa_lead_reassigns(api_as, spa_user, service_lead, frozen):
    referral = make_referral(received_on=date(2026, 11, 2))
    other = f.UserFactory(role="spa_triage")
    api_as(spa_user).post("/api/v1/triage/next/")
    url = f"/api/v1/triage/referrals/{referral.pk}/reassign/"
    assert api_as(spa_user).post(url, {"user": other.username}, format="json").status_code == 403
    response = api_as(service_lead).post(url, {"user": other.username}, format="json")
    assert response.status_code == 200 and response.json()["claimed_by"] == other.username
    gp = f.UserFactory(role="gp_practice")
    assert api_as(service_lead).post(url, {"user": gp.username}, format="json").status_code == 400
    assert api_as(service_lead).post(url, {"user": "nobody"}, format="json").status_code == 400
    lead_release = api_as(service_lead).post(f"/api/v1/triage/referrals/{referral.pk}/release/")
    assert lead_release.status_code == 200 and lead_release.json()["claimed_by"] is None


def test_accept_sets_tier_admission_limit_and_deadlines(api_as, spa_user, team, frozen):
    referral = make_referral(received_on=date(2026, 11, 2))
    episode = referral.episode
    response = decide(api_as(spa_user), episode.pk, outcome="accept", tier=3, team=team.code, version=1)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["tier"], body["admitted_on"]) == ("accepted", 3, "2026-11-04")
    assert body["episode_limit_on"] == "2027-08-04"
    assert body["rtt_clock_stop"] is None
    episode.refresh_from_db()
    assert episode.team == team and episode.version == 3
    triage = Deadline.objects.get(episode=episode, kind="triage")
    assert triage.met_on == date(2026, 11, 4) and triage.breached_on is None
    assert Deadline.objects.get(episode=episode, kind="episode_limit").due_on == date(2027, 8, 4)
    assert Deadline.objects.get(episode=episode, kind="mdt_review").due_on == date(2026, 12, 2)
    assert not Letter.objects.filter(episode=episode).exists()
    assert TriageDecision.objects.get(episode=episode).tier == 3


def test_accept_to_tier_two_has_no_mdt_review_and_needs_a_tier_and_a_team(api_as, spa_user, team, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    missing = decide(api_as(spa_user), episode.pk, outcome="accept")
    assert missing.status_code == 400 and "tier" in missing.json()
    assert decide(api_as(spa_user), episode.pk, outcome="accept", tier=4).status_code == 400
    no_team = decide(api_as(spa_user), episode.pk, outcome="accept", tier=2)
    assert no_team.status_code == 400 and list(no_team.json()) == ["team"]
    assert "Choose the team" in no_team.json()["team"][0]
    assert decide(api_as(spa_user), episode.pk, outcome="accept", tier=3, team="no-such-team").status_code == 400
    episode.refresh_from_db()
    assert episode.state == "triage" and not TriageDecision.objects.exists()
    assert decide(api_as(spa_user), episode.pk, outcome="accept", tier=2, team=team.code).status_code == 200
    episode.refresh_from_db()
    assert episode.team == team
    assert not Deadline.objects.filter(episode=episode, kind="mdt_review").exists()


def test_reject_closes_episode_stops_clock_as_decision_not_to_treat_and_queues_letter(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client = api_as(spa_user)
    assert decide(client, episode.pk, outcome="reject").status_code == 400  # a reason is required
    response = decide(client, episode.pk, outcome="reject", reason="Pain for under 3 months")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert response.json()["rtt_clock_stop"] == "2026-11-04"
    period = episode.rtt_periods.get()
    assert (period.clock_stop, period.status_code) == (date(2026, 11, 4), "34")
    assert Deadline.objects.get(episode=episode, kind="triage").met_on == date(2026, 11, 4)
    assert Deadline.objects.get(episode=episode, kind="rtt").met_on == date(2026, 11, 4)
    letter = Letter.objects.get(episode=episode)
    assert (letter.kind, letter.recipient, letter.practice_id) == ("triage_outcome", "gp", episode.practice_id)
    assert letter.content == {"outcome": "reject", "reason": "Pain for under 3 months", "redirect_to": None}


def test_redirect_closes_episode_with_destination_in_the_letter(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client = api_as(spa_user)
    assert decide(client, episode.pk, outcome="redirect", reason="Needs MSK").status_code == 400
    assert decide(client, episode.pk, outcome="redirect", reason="x", redirect_to="dentist").status_code == 400
    response = decide(client, episode.pk, outcome="redirect", reason="Needs MSK first", redirect_to="msk")
    assert response.status_code == 200 and response.json()["state"] == "redirected"
    assert episode.rtt_periods.get().status_code == "34"
    letter = Letter.objects.get(episode=episode)
    assert letter.kind == "triage_outcome"
    assert letter.content == {
        "outcome": "redirect",
        "reason": "Needs MSK first",
        "redirect_to": "msk",
        "redirect_to_label": "MSK service",
    }


def test_request_info_then_info_received_returns_to_the_queue_with_a_new_deadline(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client = api_as(spa_user)
    response = decide(client, episode.pk, outcome="request_info", reason="Send the latest MRI report")
    assert response.status_code == 200 and response.json()["state"] == "info_requested"
    assert response.json()["rtt_clock_stop"] is None
    letter = Letter.objects.get(episode=episode)
    assert letter.kind == "info_request" and letter.content["reason"] == "Send the latest MRI report"
    assert Deadline.objects.get(episode=episode, kind="triage").met_on == date(2026, 11, 4)
    assert client.get("/api/v1/triage/queue/").json()["count"] == 0
    with time_machine.travel("2026-11-06 10:00 +00:00", tick=False):
        back = client.post(f"/api/v1/episodes/{episode.pk}/info-received/", {"note": "MRI report"}, format="json")
        assert back.status_code == 200 and back.json()["state"] == "triage"
        queue = client.get("/api/v1/triage/queue/").json()
    assert queue["results"][0]["triage_due_on"] == "2026-11-10"
    assert Deadline.objects.open().get(episode=episode, kind="triage").due_on == date(2026, 11, 10)


def test_red_flag_blocks_acceptance_until_a_clinician_clears_it(api_as, spa_user, service_lead, team, frozen):
    referral = make_referral(received_on=date(2026, 11, 2), red_flags=["fracture", "infection"])
    episode = referral.episode
    blocked = decide(api_as(spa_user), episode.pk, outcome="accept", tier=2, team=team.code)
    assert blocked.status_code == 409 and blocked.json()["code"] == "red_flags"
    episode.refresh_from_db()
    assert episode.state == "triage" and not TriageDecision.objects.exists()
    url = f"/api/v1/episodes/{episode.pk}/red-flags/clear/"
    assert api_as(spa_user).post(url, {"flag": "fracture", "reason": "X-ray normal"}, format="json").status_code == 403
    assert api_as(service_lead).post(url, {"flag": "fracture", "reason": ""}, format="json").status_code == 400
    assert api_as(service_lead).post(url, {"flag": "psychosis", "reason": "x"}, format="json").status_code == 400
    cleared = api_as(service_lead).post(url, {"flag": "fracture", "reason": "X-ray normal"}, format="json")
    assert cleared.status_code == 200 and cleared.json()["uncleared"] == ["infection"]
    assert decide(api_as(spa_user), episode.pk, outcome="accept", tier=2, team=team.code).json()["code"] == "red_flags"
    api_as(service_lead).post(url, {"flag": "infection", "reason": "CRP normal"}, format="json")
    assert decide(api_as(spa_user), episode.pk, outcome="accept", tier=2, team=team.code).status_code == 200
    assert RedFlagClearance.objects.filter(referral=referral).count() == 2


def test_red_flags_do_not_block_reject_or_redirect(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2), red_flags=["suicide_risk"]).episode
    response = decide(
        api_as(spa_user), episode.pk, outcome="redirect", reason="Urgent MH", redirect_to="mental_health_urgent"
    )
    assert response.status_code == 200


def test_triaging_a_closed_or_accepted_episode_is_409(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    decide(api_as(spa_user), episode.pk, outcome="accept", tier=1)
    again = decide(api_as(spa_user), episode.pk, outcome="reject", reason="late")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"


def test_stale_version_is_409(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    response = decide(api_as(spa_user), episode.pk, outcome="accept", tier=1, version=7)
    assert response.status_code == 409 and response.json()["code"] == "stale_version"


def test_gp_cannot_triage_or_see_other_practices_episodes(api_as, gp_user, frozen):
    other = make_referral(received_on=date(2026, 11, 2)).episode
    assert decide(api_as(gp_user), other.pk, outcome="accept", tier=1).status_code == 404
    own = make_referral(practice=gp_user.profile.practice, received_on=date(2026, 11, 2)).episode
    assert decide(api_as(gp_user), own.pk, outcome="accept", tier=1).status_code == 403


def test_late_triage_keeps_its_breach_and_is_escalated(api_as, spa_user, frozen):
    episode = make_referral(received_on=date(2026, 10, 28)).episode  # due Fri 30 Oct
    assert core.deadline_sweep(today=date(2026, 11, 4)) >= 1
    triage = Deadline.objects.get(episode=episode, kind="triage")
    assert triage.breached_on == date(2026, 10, 31)
    assert PathwayEvent.objects.filter(episode=episode, data__escalated_to="spa_lead").count() == 1
    core.deadline_sweep(today=date(2026, 11, 4))
    assert PathwayEvent.objects.filter(episode=episode, data__escalated_to="spa_lead").count() == 1
    queue = api_as(spa_user).get("/api/v1/triage/queue/").json()["results"]
    assert queue[0]["breached"] is True
    decide(api_as(spa_user), episode.pk, outcome="accept", tier=1)
    triage.refresh_from_db()
    assert (triage.met_on, triage.breached_on) == (date(2026, 11, 4), date(2026, 10, 31))


@pytest.mark.django_db(transaction=True)
def test_concurrent_next_never_gives_one_referral_to_two_users(on_postgres):
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=True):
        practice = f.PracticeFactory()
        referrals = [make_referral(practice=practice, received_on=date(2026, 11, 2)) for _ in range(5)]
        users = [f.UserFactory(role="spa_triage") for _ in range(8)]
        barrier = threading.Barrier(len(users))
        got: dict[int, int | None] = {}
        errors: list[Exception] = []

        def attempt(user) -> None:
            try:
                barrier.wait(timeout=10)
                with transaction.atomic():
                    referral = services.triage_claim_next(user=user)
                got[user.pk] = referral.pk if referral else None
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert errors == []
    claimed = [pk for pk in got.values() if pk is not None]
    assert len(claimed) == len(set(claimed)) == len(referrals)
    assert list(got.values()).count(None) == len(users) - len(referrals)
    owners = dict(Referral.objects.values_list("pk", "claimed_by_id"))
    assert {pk: owners[pk] for pk in claimed} == {pk: uid for uid, pk in got.items() if pk is not None}


def test_withdrawal_before_triage_discharges_and_stops_clock_as_patient_declined(spa_user, frozen):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    with pytest.raises(InvalidInput):
        services.referral_withdraw(episode=episode, actor=spa_user, reason=" ")
    services.referral_withdraw(episode=episode, actor=spa_user, reason="Declined by phone")
    episode.refresh_from_db()
    assert (episode.state, episode.discharged_on, episode.discharge_reason) == (
        "discharged",
        date(2026, 11, 4),
        "declined",
    )
    assert episode.rtt_periods.get().status_code == "35"
    assert Deadline.objects.get(episode=episode, kind="triage").met_on == date(2026, 11, 4)


def test_a_referral_claimed_by_someone_else_cannot_be_decided_except_by_the_lead(
    api_as, spa_user, service_lead, frozen
):
    referral = make_referral(received_on=date(2026, 11, 2))
    other = f.UserFactory(role="spa_triage")
    services.triage_claim_next(user=other)
    refused = decide(api_as(spa_user), referral.episode_id, outcome="accept", tier=1)
    assert refused.status_code == 409 and refused.json()["code"] == "claimed"
    assert decide(api_as(other), referral.episode_id, outcome="accept", tier=1).status_code == 200
    assert Referral.objects.get().claimed_by is None


def test_admin_site_shows_referrals_and_decisions_only_to_the_lead_under_break_glass_and_read_only(
    client, spa_user, frozen
):
    from pathway.audit import break_glass_open

    admin_user = f.UserFactory(role="admin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    referral = make_referral(received_on=date(2026, 11, 2))
    services.triage_decide(episode=referral.episode, outcome="accept", tier=2, team=f.TeamFactory(), actor=spa_user)
    client.force_login(admin_user)
    # The admin role is configuration only.
    assert client.get("/admin/referrals/referral/").status_code == 403
    assert client.get("/admin/triage/triagedecision/").status_code == 403
    lead = f.UserFactory(role="service_lead")
    lead.is_staff = True
    lead.save()
    break_glass_open(user=lead, reason="Record unreadable through the pages")
    client.force_login(lead)
    assert client.get("/admin/referrals/referral/").status_code == 200
    assert client.get("/admin/triage/triagedecision/").status_code == 200
    assert client.get("/admin/referrals/referral/add/").status_code == 403


def test_a_queue_item_lists_only_the_red_flags_not_yet_cleared_and_every_field(api_as, spa_user, frozen):
    """Wed 4 Nov: a referral received Tue 3 Nov (due Thu 5 Nov) with two red flags, one cleared, claimed,
    its triage deadline already marked breached; the item on the queue and after a claim are the same."""
    practice = f.PracticeFactory(ods_code="Y01234")
    referral = make_referral(practice=practice, received_on=date(2026, 11, 3), red_flags=["fracture", "infection"])
    RedFlagClearance.objects.create(referral=referral, flag="fracture", reason="X-ray clear", cleared_by=spa_user)
    other = make_referral(practice=practice, received_on=date(2026, 11, 3), red_flags=["fracture"])
    Deadline.objects.filter(episode=referral.episode, kind="triage").update(breached_on=date(2026, 11, 4))
    client = api_as(spa_user)
    claimed = client.post(f"/api/v1/triage/referrals/{referral.pk}/claim/").json()
    expected = {
        "id": referral.episode_id,
        "referral_id": referral.pk,
        "episode_id": referral.episode_id,
        "patient_id": referral.patient_id,
        "practice_ods": "Y01234",
        "state": "triage",
        "urgency": referral.urgency,
        "received_on": "2026-11-03",
        "triage_due_on": "2026-11-05",
        "days_left": 1,
        "breached": True,
        "red_flags": ["infection"],
        "claimed_by": spa_user.username,
    }
    assert claimed == expected
    items = {item["referral_id"]: item for item in client.get("/api/v1/triage/queue/").json()["results"]}
    assert items[referral.pk] == expected
    assert items[other.pk]["red_flags"] == ["fracture"] and items[other.pk]["breached"] is False
    assert items[other.pk]["claimed_by"] is None


def test_queue_count_comes_from_the_waiting_episodes_not_a_count_of_every_waiting_referral(api_as, spa_user, frozen):
    """52 waiting, one already triaged: 51 on two pages of 50 and 1; the count is read from the episodes in
    triage (their index), with no COUNT joining the referrals."""
    practice = f.PracticeFactory()
    referrals = [make_referral(practice=practice, received_on=date(2026, 11, 2)) for _ in range(52)]
    services.triage_decide(episode=referrals[0].episode, outcome="reject", reason="Not for us", actor=spa_user)
    client = api_as(spa_user)
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/api/v1/triage/queue/").json()
    assert first["count"] == 51 and len(first["results"]) == 50
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "referrals_referral" in q["sql"]]
    second = client.get("/api/v1/triage/queue/?page=2").json()
    assert second["count"] == 51 and [r["referral_id"] for r in second["results"]] == [referrals[51].pk]
    assert client.get("/api/v1/triage/queue/?page=3").status_code == 404
