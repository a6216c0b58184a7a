"""Group programmes and signposting through the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from careplans.services import careplan_save
from careplans.tests.factories import accepted_episode
from pathway.letters.rendering import letter_html
from pathway.models import LetterKind
from pathway.services import letter_create
from programmes.models import Attendance, Enrolment, Programme, Resource

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)  # a Friday
PMP = {
    "name": "PMP autumn (online)",
    "kind": "pmp",
    "mode": "online",
    "sessions": [{"date": f"2026-11-{day:02d}", "hours": 3} for day in (2, 4, 9, 11, 16, 18)],
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def api(api_as, clinician):
    return api_as(clinician)


def _patient_with_plan(team, clinician):
    episode = accepted_episode(team=team, state="treatment")
    careplan_save(episode=episode, actor=clinician, goals=[{"goal": "Walk to the shops"}], education=["Group PMP"])
    return episode


def _programme(api, **change):
    r = api.post("/api/v1/programmes/", {**PMP, **change}, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def test_programme_has_ten_places_by_default_and_eighteen_hours(api):
    body = _programme(api)
    assert body["capacity"] == 10 and body["hours"] == 18 and len(body["sessions"]) == 6
    assert [s["number"] for s in body["sessions"]] == [1, 2, 3, 4, 5, 6]


def test_programme_fills_at_ten_and_the_eleventh_goes_to_the_waiting_list(api, team, clinician):
    programme = _programme(api)
    episodes = [_patient_with_plan(team, clinician) for _ in range(12)]
    statuses = [
        api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": e.pk}, format="json").json()["status"]
        for e in episodes[:11]
    ]
    assert statuses == ["enrolled"] * 10 + ["waiting"]
    r = api.post(
        f"/api/v1/programmes/{programme['id']}/enrol/",
        {"episode_id": episodes[11].pk, "waiting_list": False},
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "programme_full"
    assert Enrolment.objects.count() == 11
    detail = api.get(f"/api/v1/programmes/{programme['id']}/").json()
    assert (detail["enrolled"], detail["waiting"]) == (10, 1)


def test_withdrawal_gives_the_place_to_the_first_on_the_waiting_list(api, team, clinician):
    from programmes.services import enrolment_withdraw

    programme = _programme(api, capacity=8)
    episodes = [_patient_with_plan(team, clinician) for _ in range(9)]
    for e in episodes:
        api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": e.pk}, format="json")
    first = Enrolment.objects.get(episode=episodes[0])
    promoted = enrolment_withdraw(enrolment=first, actor=clinician, reason="Moved away")
    assert promoted.episode_id == episodes[8].pk and promoted.status == "enrolled"


def test_hours_attended_are_compared_with_the_programme_hours(api, team, clinician):
    programme = _programme(api)
    episode = _patient_with_plan(team, clinician)
    api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": episode.pk}, format="json")
    for number, attended in ((1, True), (2, True), (3, False), (4, True)):
        r = api.post(
            f"/api/v1/programmes/{programme['id']}/sessions/{number}/attendance/",
            {"episode_id": episode.pk, "attended": attended},
            format="json",
        )
        assert r.status_code == 200, r.json()
    rows = api.get(f"/api/v1/episodes/{episode.pk}/programmes/").json()
    assert rows[0]["hours_attended"] == 9 and rows[0]["programme_hours"] == 18
    assert (rows[0]["sessions_attended"], rows[0]["sessions_missed"]) == (3, 1)
    assert rows[0]["follow_up_needed"] is False


def test_two_missed_sessions_in_a_row_make_a_clinician_task_not_a_discharge(api, team, clinician):
    programme = _programme(api)
    episode = _patient_with_plan(team, clinician)
    api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": episode.pk}, format="json")
    url = f"/api/v1/programmes/{programme['id']}/sessions/{{}}/attendance/"
    api.post(url.format(1), {"episode_id": episode.pk, "attended": False}, format="json")
    r = api.post(url.format(2), {"episode_id": episode.pk, "attended": False}, format="json")
    assert r.json()["follow_up_needed"] is True
    episode.refresh_from_db()
    assert episode.state == "treatment"
    from programmes.selectors import missed_session_tasks

    assert [e.episode_id for e in missed_session_tasks(clinician)] == [episode.pk]


def test_attendance_for_a_patient_not_enrolled_is_refused(api, team, clinician):
    programme = _programme(api, capacity=8)
    episodes = [_patient_with_plan(team, clinician) for _ in range(10)]
    for e in episodes[:9]:
        api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": e.pk}, format="json")
    url = f"/api/v1/programmes/{programme['id']}/sessions/1/attendance/"
    for outsider in (episodes[8], episodes[9]):  # on the waiting list; never enrolled
        r = api.post(url, {"episode_id": outsider.pk, "attended": True}, format="json")
        assert r.status_code == 409 and r.json()["code"] == "not_enrolled"
    r = api.post(
        f"/api/v1/programmes/{programme['id']}/sessions/7/attendance/",
        {"episode_id": episodes[0].pk, "attended": True},
        format="json",
    )
    assert r.status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_for_a_session_still_to_come_is_refused(api, team, clinician):
    programme = _programme(
        api, sessions=[{"date": "2026-11-18", "hours": 1}, {"date": "2026-11-25", "hours": 1}], kind="education"
    )
    episode = _patient_with_plan(team, clinician)
    api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": episode.pk}, format="json")
    r = api.post(
        f"/api/v1/programmes/{programme['id']}/sessions/2/attendance/",
        {"episode_id": episode.pk, "attended": True},
        format="json",
    )
    assert r.status_code == 400 and "attended" in r.json()


def test_enrolment_needs_a_care_plan(api, team):
    programme = _programme(api)
    episode = accepted_episode(team=team)
    r = api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": episode.pk}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "no_care_plan"
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "yoga"}, "kind"),
        ({"mode": "telegram"}, "mode"),
        ({"capacity": 12}, "capacity"),
        ({"capacity": 7}, "capacity"),
        ({"sessions": []}, "sessions"),
        ({"sessions": [{"date": "2026-11-02", "hours": 0}]}, "sessions"),
        ({"kind": "education"}, "sessions"),
    ],
)
def test_bad_programme_is_refused_naming_the_field(api, change, field):
    r = api.post("/api/v1/programmes/", {**PMP, **change}, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not Programme.objects.exists()


def test_programmes_do_not_exist_for_commissioners_or_gp_practices(api_as, commissioner_user, gp_user):
    for user in (commissioner_user, gp_user):
        assert api_as(user).get("/api/v1/programmes/").status_code == 404
        assert api_as(user).post("/api/v1/programmes/", PMP, format="json").status_code == 404


def test_signposted_resources_are_printed_in_the_discharge_letter(api, team, clinician):
    episode = _patient_with_plan(team, clinician)
    resources = api.get("/api/v1/signposting/resources/").json()
    assert {"Flippin' Pain", "Live Well With Pain", "Pain Toolkit", "Tame the Beast"} <= {r["name"] for r in resources}
    toolkit = Resource.objects.get(name="Pain Toolkit")
    r = api.post(
        f"/api/v1/episodes/{episode.pk}/signposting/",
        {"resource_id": toolkit.pk, "context": "discharge"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    again = api.post(
        f"/api/v1/episodes/{episode.pk}/signposting/",
        {"resource_id": toolkit.pk, "context": "discharge"},
        format="json",
    )
    assert again.status_code == 409
    bad = api.post(
        f"/api/v1/episodes/{episode.pk}/signposting/", {"resource_id": toolkit.pk, "context": "tea"}, format="json"
    )
    assert bad.status_code == 400 and "context" in bad.json()
    letter = letter_create(kind=LetterKind.DISCHARGE, episode=episode, content={"summary": "Done"})
    html = letter_html(letter)
    assert "Pain Toolkit" in html and "https://www.paintoolkit.org/" in html
    advice = letter_create(kind=LetterKind.PRESCRIBING_ADVICE, episode=episode, content={})
    assert "Pain Toolkit" not in letter_html(advice)


def test_first_pmp_session_attended_is_the_first_definitive_treatment(api, team, clinician):
    programme = _programme(api)
    episode = accepted_episode(team=team)
    careplan_save(episode=episode, actor=clinician, goals=[{"goal": "Return to work"}])
    api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": episode.pk}, format="json")
    url = f"/api/v1/programmes/{programme['id']}/sessions/{{}}/attendance/"
    api.post(url.format(1), {"episode_id": episode.pk, "attended": False}, format="json")
    assert episode.rtt_periods.get().clock_stop is None
    api.post(url.format(2), {"episode_id": episode.pk, "attended": True}, format="json")
    period = episode.rtt_periods.get()
    assert (str(period.clock_stop), period.status_code) == ("2026-11-04", "30")
    episode.refresh_from_db()
    assert episode.state == "treatment"


def test_withdrawal_and_follow_up_through_the_api(api, team, clinician):
    programme = _programme(api, capacity=8)
    episodes = [_patient_with_plan(team, clinician) for _ in range(9)]
    for e in episodes:
        api.post(f"/api/v1/programmes/{programme['id']}/enrol/", {"episode_id": e.pk}, format="json")
    first = Enrolment.objects.get(episode=episodes[0])
    r = api.post(f"/api/v1/enrolments/{first.pk}/withdraw/", {"reason": "Started work"}, format="json")
    assert r.json() == {"status": "withdrawn", "place_offered_to_episode_id": episodes[8].pk}
    again = api.post(f"/api/v1/enrolments/{first.pk}/withdraw/", {"reason": "Again"}, format="json")
    assert again.status_code == 409
    second = Enrolment.objects.get(episode=episodes[1])
    r = api.post(f"/api/v1/enrolments/{second.pk}/follow-up/", {"note": "Called"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "no_open_task"
