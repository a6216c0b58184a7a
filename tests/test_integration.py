"""Cross-app checks on the full demo data set: every role's pages open."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pathway.models import Episode, EpisodeState, Letter
from pathway.navigation import NAVIGATION
from pathway.views import HOME_LINKS

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "spa_triage": "spa",
    "clinician": "clinician",
    "service_lead": "lead",
    "commissioner": "commissioner",
    "gp_practice": "gp",
    "admin": "admin",
}


@pytest.fixture
def demo():
    call_command("seed_demo", patients=40)


@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_every_home_and_navigation_link_opens_for_its_role(client, demo, role):
    """Each role lands on its work; its header navigation is on every page, and every link opens."""
    user = get_user_model().objects.get(username=DEMO_USERS[role])
    client.force_login(user)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    for label, href in NAVIGATION[role]:
        assert f'class="nhsuk-header__navigation-link" href="{href}"'.encode() in home.content, label
    for label, href in [*HOME_LINKS[role], *NAVIGATION[role]]:
        response = client.get(href)
        assert response.status_code == 200, f"{role}: {label} ({href}) gave {response.status_code}"


def test_demo_has_every_state_and_discharge_letters(demo):
    states = set(Episode.objects.values_list("state", flat=True))
    assert states == set(EpisodeState.values)
    discharged = Episode.objects.filter(state=EpisodeState.DISCHARGED, discharge__isnull=False)
    assert discharged.exists()
    assert Letter.objects.filter(kind="discharge", episode__in=discharged).count() == discharged.count()


def test_clinician_episode_pages_open_across_states(client, demo):
    client.force_login(get_user_model().objects.get(username="clinician"))
    for state in [EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT, EpisodeState.TREATMENT, EpisodeState.DISCHARGED]:
        episode = Episode.objects.filter(state=state, team__members__username="clinician").first()
        if episode is None:
            continue
        assert client.get(f"/care/episodes/{episode.pk}/").status_code == 200
        assert client.get(f"/patients/{episode.patient_id}/").status_code == 200
        assert client.get(f"/outcomes/episodes/{episode.pk}/").status_code == 200
        assert client.get(f"/letters/episode/{episode.pk}/").status_code == 200
