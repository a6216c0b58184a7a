"""Programme pages: create a course, enrol from the care plan, keep the register, follow up, signpost."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from careplans.services import careplan_save
from careplans.tests.factories import accepted_episode
from programmes.models import Attendance, Enrolment, Programme, Resource, Signpost

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def web(clinician):
    client = Client()
    client.force_login(clinician)
    return client


def _create(web, **change):
    body = {
        "name": "Education, November",
        "kind": "education",
        "mode": "in_person",
        "sessions": "2026-11-12 1\n2026-11-19 1",
        **change,
    }
    return web.post("/programmes/", body)


def test_programme_created_enrolled_registered_and_followed_up_through_the_pages(web, team, clinician):
    r = _create(web)
    assert r.status_code == 302, r.content.decode()[:2000]
    programme = Programme.objects.get()
    assert programme.capacity == 10 and programme.sessions.count() == 2
    episode = accepted_episode(team=team, state="treatment")
    careplan_save(episode=episode, actor=clinician, goals=[{"goal": "Sleep better"}])
    r = web.post(f"/programmes/episodes/{episode.pk}/", {"programme": programme.pk, "waiting_list": "on"})
    assert r.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.status == "enrolled"
    for number in (1, 2):
        r = web.post(f"/programmes/{programme.pk}/", {"session": number, f"attended_{enrolment.pk}": "no"})
        assert r.status_code == 302
    assert Attendance.objects.filter(attended=False).count() == 2
    worklist = web.get("/care/worklist/").content.decode()
    assert "Missed programme sessions to follow up" in worklist and episode.patient.given_name in worklist
    page = web.get(f"/programmes/episodes/{episode.pk}/").content.decode()
    assert "0 of 2" in page and "Missed sessions: follow up" in page
    r = web.post(f"/programmes/enrolments/{enrolment.pk}/follow-up/", {"note": "Called: unwell, rejoins in January"})
    assert r.status_code == 302
    enrolment.refresh_from_db()
    assert not enrolment.missed_task_open
    register = web.get(f"/programmes/{programme.pk}/").content.decode()
    assert "<strong>Missed</strong>" in register and "<strong>1 of 10</strong> places taken" in register


def test_bad_programme_form_shows_the_problem_and_creates_nothing(web):
    r = _create(web, sessions="2026-11-12 1")
    assert r.status_code == 400 and "A pain education group has 2 sessions." in r.content.decode()
    r = _create(web, sessions="12/11/2026 1\n2026-11-19 1")
    assert r.status_code == 400 and "Line 1: write the date as YYYY-MM-DD" in r.content.decode()
    assert not Programme.objects.exists()


def test_enrolment_without_a_care_plan_is_refused_on_the_page(web, team):
    _create(web)
    episode = accepted_episode(team=team)
    r = web.post(f"/programmes/episodes/{episode.pk}/", {"programme": Programme.objects.get().pk})
    assert r.status_code == 409 and "write the patient&#x27;s care plan first" in r.content.decode()
    assert not Enrolment.objects.exists()


def test_signposting_a_resource_from_the_page(web, team):
    episode = accepted_episode(team=team)
    resource = Resource.objects.get(name="Live Well With Pain")
    r = web.post(
        f"/programmes/episodes/{episode.pk}/", {"action": "signpost", "resource": resource.pk, "context": "care_plan"}
    )
    assert r.status_code == 302
    assert Signpost.objects.get().resource == resource
    assert "Live Well With Pain" in web.get(f"/programmes/episodes/{episode.pk}/").content.decode()
