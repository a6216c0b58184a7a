"""Beyond nine months needs the commissioner's agreement (DESIGN.md section 6; API.md "Triage
criteria, extensions and letters"): the service asks with a rationale, a commissioner user of the
patient's commissioner agrees or declines; only an agreed extension is in force."""

from datetime import date

import pytest
import time_machine

from careplans.models import Extension
from careplans.tests.factories import accepted_episode
from pathway.models import Deadline, Episode, Letter, Role
from pathway.tests import factories as f
from reporting.pseudonyms import pseudonym

pytestmark = pytest.mark.django_db

# Thu 24 Dec 2026: Christmas Day, Boxing Day (substitute Mon 28) and New Year's Day are not working days.
DECIDED = "2026-12-24 10:00 +00:00"


@pytest.fixture
def episode(clinician):
    # Admitted Mon 6 Apr 2026 (Easter Monday is a date like any other for calendar months): limit 6 Jan 2027.
    return accepted_episode(
        received_on=date(2026, 3, 20), admitted_on=date(2026, 4, 6), tier=3, team=clinician.teams.first()
    )


@pytest.fixture
def own_commissioner(episode):
    return f.UserFactory(role=Role.COMMISSIONER, commissioner=episode.practice.commissioner)


@pytest.fixture
def other_commissioner(db):
    return f.UserFactory(role=Role.COMMISSIONER, commissioner=f.CommissionerFactory())


def request_extension(api, episode, until="2027-04-30", rationale="Awaiting spinal cord stimulator trial"):
    with time_machine.travel("2026-12-21 10:00 +00:00", tick=False):
        return api.post(
            f"/api/v1/episodes/{episode.pk}/extension/", {"rationale": rationale, "until": until}, format="json"
        )


def decide(api, extension_id, **body):
    with time_machine.travel(DECIDED, tick=False):
        return api.post(f"/api/v1/extensions/{extension_id}/decision/", body, format="json")


def test_a_leads_extension_is_not_in_force_until_the_right_commissioner_agrees(
    api_as, service_lead, clinician, episode, own_commissioner, other_commissioner
):
    assert episode.episode_limit_on == date(2027, 1, 6)
    asked = request_extension(api_as(service_lead), episode)
    assert asked.status_code == 201, asked.json()
    assert (asked.json()["approved"], asked.json()["state"], asked.json()["letter_id"]) == (False, "requested", None)
    ext_id = asked.json()["id"]
    episode.refresh_from_db()
    assert episode.episode_limit_on == date(2027, 1, 6)
    assert not Letter.objects.filter(kind="extension").exists()
    assert not Deadline.objects.filter(episode=episode, subject=f"extension:{ext_id}").exists()
    # A second request while one waits is a conflict.
    again = request_extension(api_as(clinician), episode, until="2027-05-31")
    assert again.status_code == 409 and again.json()["code"] == "extension_pending"

    # The lead can no longer approve alone: the approve endpoint is gone, and the decision is not theirs.
    with time_machine.travel(DECIDED, tick=False):
        assert api_as(service_lead).post(f"/api/v1/extensions/{ext_id}/approve/", {}).status_code == 404
    for user in (service_lead, clinician):
        refused = decide(api_as(user), ext_id, decision="agreed")
        assert refused.status_code == 403 and refused.json()["code"] == "not_the_commissioner"
    # A commissioner of another commissioner cannot see it, nor decide it.
    assert decide(api_as(other_commissioner), ext_id, decision="agreed").status_code == 404
    assert api_as(other_commissioner).get("/api/v1/extensions/pending/").json()["count"] == 0
    assert Extension.objects.get(pk=ext_id).state == "requested"

    # The patient's commissioner sees pseudonym, tier, dates and rationale, and no identifiers.
    listed = api_as(own_commissioner).get("/api/v1/extensions/pending/")
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row == {
        "id": ext_id,
        "patient_pseudonym": pseudonym(episode.patient_id),
        "tier": 3,
        "admitted_on": "2026-04-06",
        "limit_on": "2027-01-06",
        "requested_on": "2026-12-21",
        "until": "2027-04-30",
        "rationale": "Awaiting spinal cord stimulator trial",
        "state": "requested",
    }
    patient = episode.patient
    for identifier in (patient.nhs_number, patient.family_name, patient.given_name, patient.postcode):
        assert identifier not in listed.content.decode()

    bad = decide(api_as(own_commissioner), ext_id, decision="maybe")
    assert bad.status_code == 400 and list(bad.json()) == ["decision"]
    agreed = decide(api_as(own_commissioner), ext_id, decision="agreed", note="Agreed for the SCS trial")
    assert agreed.status_code == 200, agreed.json()
    assert (agreed.json()["state"], agreed.json()["in_force"]) == ("agreed", True)
    assert agreed.json()["episode_limit_on"] == "2027-04-30"
    episode.refresh_from_db()
    assert episode.episode_limit_on == date(2027, 4, 30)
    ext = Extension.objects.get(pk=ext_id)
    assert ext.approved_by == own_commissioner and ext.decision_note == "Agreed for the SCS trial"
    letter = Letter.objects.get(kind="extension", episode=episode)
    assert letter.content["rationale"] == "Awaiting spinal cord stimulator trial"
    assert letter.content["until"] == "2027-04-30" and letter.content["agreed_on"] == "2026-12-24"
    limit = Deadline.objects.get(episode=episode, kind="episode_limit", subject=f"extension:{ext_id}")
    assert limit.due_on == date(2027, 4, 30)
    assert Deadline.objects.get(episode=episode, kind="episode_limit", subject="").met_on == date(2026, 12, 24)
    twice = decide(api_as(own_commissioner), ext_id, decision="declined", note="No")
    assert twice.status_code == 409 and twice.json()["code"] == "extension_decided"


def test_a_declined_extension_shows_on_the_episode_and_the_discharge_plan_falls_due(
    api_as, client, clinician, episode, own_commissioner
):
    ext_id = request_extension(api_as(clinician), episode).json()["id"]
    no_note = decide(api_as(own_commissioner), ext_id, decision="declined")
    assert no_note.status_code == 400 and list(no_note.json()) == ["note"]
    declined = decide(api_as(own_commissioner), ext_id, decision="declined", note="Refer back to tier 2")
    assert declined.status_code == 200
    assert (declined.json()["state"], declined.json()["in_force"]) == ("declined", False)
    episode.refresh_from_db()
    assert episode.episode_limit_on == date(2027, 1, 6)
    assert not Letter.objects.filter(kind="extension").exists()
    # 10 working days from Thu 24 Dec 2026, skipping Christmas, Boxing Day (Mon 28) and New Year's Day.
    plan = Deadline.objects.get(episode=episode, kind="discharge_plan")
    assert plan.due_on == date(2027, 1, 12) and plan.met_on is None

    with time_machine.travel(DECIDED, tick=False):
        client.force_login(clinician)
        page = client.get(f"/care/episodes/{episode.pk}/").content.decode()
    assert "Declined by the commissioner" in page and "Refer back to tier 2" in page
    assert "Discharge plan (extension declined)" in page and "12 Jan 2027" in page
    with time_machine.travel(DECIDED, tick=False):
        events = api_as(clinician).get(f"/api/v1/episodes/{episode.pk}/events/").json()
    assert any("declined by the commissioner" in (e["reason"] or "") for e in events)
    # A new request may follow a declined one.
    assert request_extension(api_as(clinician), episode, until="2027-02-28").status_code == 201


def test_the_commissioner_page_agrees_and_declines_and_other_commissioners_get_404(
    client, clinician, episode, own_commissioner, other_commissioner
):
    ext = Extension.objects.create(
        episode=episode, rationale="PMP starts in January", until=date(2027, 3, 31), requested_by=clinician
    )
    client.force_login(other_commissioner)
    assert "PMP starts in January" not in client.get("/care/extensions/pending/").content.decode()
    assert client.post(f"/care/extensions/{ext.pk}/decision/", {"decision": "agreed"}).status_code == 404
    client.force_login(own_commissioner)
    assert "/care/extensions/pending/" in client.get("/reports/over-9-months/").content.decode()
    page = client.get("/care/extensions/pending/").content.decode()
    assert "PMP starts in January" in page and pseudonym(episode.patient_id) in page
    assert 'value="agreed"' in page and 'value="declined"' in page
    refused = client.post(f"/care/extensions/{ext.pk}/decision/", {"decision": "declined", "note": ""})
    assert refused.status_code == 400 and "Say why the extension is declined" in refused.content.decode()
    with time_machine.travel(DECIDED, tick=False):
        client.force_login(own_commissioner)
        done = client.post(f"/care/extensions/{ext.pk}/decision/", {"decision": "agreed", "note": ""})
    assert done.status_code == 302
    assert Episode.objects.get(pk=episode.pk).episode_limit_on == date(2027, 3, 31)
