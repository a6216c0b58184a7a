"""The palliative fast track: only from an oncologist or palliative-care consultant, with its own
shorter triage deadline (``fast_track_triage_working_days``, default 1) on the England calendar."""

from datetime import date

import pytest
import time_machine

from pathway.models import Deadline
from referrals.models import Referral
from referrals.tests.factories import referral_payload
from referrals.tests.test_referral_pages import form_data

pytestmark = pytest.mark.django_db


def refer(api, practice, received: str, n: int, **overrides):
    with time_machine.travel("2027-04-01 10:00 +01:00", tick=False):
        return api.post(
            "/api/v1/referrals/", referral_payload(practice, n=n, received_on=received, **overrides), format="json"
        )


@pytest.mark.parametrize(
    ("received", "fast_due", "routine_due"),
    [
        ("2026-12-24", "2026-12-29", "2026-12-30"),  # Thu: Christmas Fri, Boxing Day substitute Mon 28
        ("2026-08-28", "2026-09-01", "2026-09-02"),  # Fri before the August bank holiday (Mon 31)
        ("2027-03-25", "2027-03-30", "2027-03-31"),  # Thu: Good Friday 26 Mar, Easter Monday 29 Mar
        ("2026-12-31", "2027-01-04", "2027-01-05"),  # Thu: New Year's Day Fri
        ("2026-11-06", "2026-11-09", "2026-11-10"),  # an ordinary Friday
        ("2026-11-07", "2026-11-09", "2026-11-10"),  # received on a Saturday
    ],
)
def test_fast_track_is_due_one_working_day_after_receipt(api_as, spa_user, practice, received, fast_due, routine_due):
    fast = refer(api_as(spa_user), practice, received, 71, urgency="palliative", referrer_type="oncologist")
    routine = refer(api_as(spa_user), practice, received, 72)
    assert fast.status_code == 201, fast.json()
    assert (fast.json()["triage_due_on"], fast.json()["referrer_type"]) == (fast_due, "oncologist")
    assert routine.json()["triage_due_on"] == routine_due
    deadline = Deadline.objects.get(episode_id=fast.json()["episode_id"], kind="triage")
    assert deadline.due_on == date.fromisoformat(fast_due)


def test_fast_track_only_from_an_oncologist_or_palliative_care_consultant(api_as, spa_user, practice):
    for n, referrer in enumerate(("gp", "other_consultant", "other"), start=73):
        refused = refer(api_as(spa_user), practice, "2026-11-02", n, urgency="palliative", referrer_type=referrer)
        assert refused.status_code == 400
        assert refused.json()["urgency"] == [
            "The palliative fast track is only for referrals from an oncologist or a palliative-care consultant."
        ]
    assert not Referral.objects.exists()
    unknown = refer(api_as(spa_user), practice, "2026-11-02", 76, referrer_type="dentist")
    assert unknown.status_code == 400 and "referrer_type" in unknown.json()
    ok = refer(api_as(spa_user), practice, "2026-11-02", 77, urgency="palliative", referrer_type="palliative_care")
    assert ok.status_code == 201 and ok.json()["triage_due_on"] == "2026-11-03"
    # Urgent (not palliative) from a GP keeps the ordinary limit.
    urgent = refer(api_as(spa_user), practice, "2026-11-02", 78, urgency="urgent")
    assert urgent.json()["triage_due_on"] == "2026-11-04"


def test_fast_track_limit_is_a_rule(api_as, spa_user, practice, settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "fast_track_triage_working_days": 0}
    same_day = refer(api_as(spa_user), practice, "2026-11-02", 79, urgency="palliative", referrer_type="oncologist")
    assert same_day.json()["triage_due_on"] == "2026-11-02"


def test_information_received_on_a_fast_track_referral_restarts_the_shorter_limit(api_as, spa_user, practice):
    body = refer(api_as(spa_user), practice, "2026-12-22", 80, urgency="palliative", referrer_type="oncologist").json()
    with time_machine.travel("2026-12-22 10:00 +00:00", tick=False):
        api_as(spa_user).post(
            f"/api/v1/episodes/{body['episode_id']}/triage/",
            {"outcome": "request_info", "reason": "Send the oncology letter"},
            format="json",
        )
    with time_machine.travel("2026-12-24 10:00 +00:00", tick=False):
        back = api_as(spa_user).post(f"/api/v1/episodes/{body['episode_id']}/info-received/", {})
    assert back.status_code == 200
    assert Referral.objects.get(episode_id=body["episode_id"]).triage_due_on == date(2026, 12, 29)


def test_the_referral_form_asks_who_refers_and_refuses_a_gp_fast_track(client, gp_user, practice):
    client.force_login(gp_user)
    assert 'name="referrer_type"' in client.get("/referrals/new/").content.decode()
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        refused = client.post("/referrals/new/", form_data(practice, n=81, urgency="palliative", referrer_type="gp"))
        assert refused.status_code == 400
        assert "only for referrals from an oncologist" in refused.content.decode()
        ok = client.post("/referrals/new/", form_data(practice, n=82, urgency="palliative", referrer_type="oncologist"))
    assert ok.status_code == 302
    referral = Referral.objects.get()
    assert (referral.referrer_type, referral.triage_due_on) == ("oncologist", date(2026, 11, 3))
