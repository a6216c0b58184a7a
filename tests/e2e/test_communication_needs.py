import pytest

from careplans.tests.factories import accepted_episode
from safeguarding.services import communication_needs_update

pytestmark = pytest.mark.django_db(transaction=True)


def test_interpreter_need_shows_when_booking_an_appointment(page, sign_in, clinician, team):
    episode = accepted_episode(team=team)
    communication_needs_update(
        patient=episode.patient,
        actor=clinician,
        interpreter_needed=True,
        language="Tigrinya",
        communication_format="large_print",
    )
    sign_in(clinician)
    page.goto(f"/care/episodes/{episode.pk}/appointments/new/")
    banner = page.inner_text("[aria-label='Communication needs']")
    assert "Interpreter needed: Tigrinya" in banner and "an interpreter is booked with each appointment" in banner
    assert "Letters in large print" in banner
