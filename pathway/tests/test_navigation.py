"""Each role's home is its work, and the header carries the role's service navigation on every page."""

import pytest

from careplans.models import Extension
from careplans.tests.factories import accepted_episode
from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role, home",
    [
        (Role.SPA_TRIAGE, "/triage/"),
        (Role.CLINICIAN, "/care/worklist/"),
        (Role.COMMISSIONER, "/reports/kpis/"),
        (Role.GP_PRACTICE, "/referrals/"),
    ],
)
def test_single_role_home_is_the_roles_work(client, practice, role, home):
    extra = {
        Role.GP_PRACTICE: {"practice": practice},
        Role.COMMISSIONER: {"commissioner": practice.commissioner},
    }.get(role, {})
    user = f.UserFactory(role=role, **extra)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == home
    page = client.get(home).content.decode()
    assert 'class="nhsuk-header__navigation"' in page
    assert f'<a class="nhsuk-header__navigation-link" href="{home}" aria-current="page">' in page


def test_service_lead_home_counts_breaches_approvals_reconciliations_and_safeguarding(client, service_lead, clinician):
    episode = accepted_episode(team=clinician.teams.first(), tier=3)
    until = episode.received_on.replace(year=episode.received_on.year + 1)
    Extension.objects.create(episode=episode, until=until, rationale="Awaiting surgery", requested_by=clinician)
    client.force_login(service_lead)
    page = client.get("/").content.decode()
    assert page.count("nhsuk-task-list__item") >= 6
    for label in (
        "Breached deadlines",
        "Referrals waiting past the triage limit",
        "Extensions waiting for the commissioner",
        "Demographics to reconcile",
        "Open safeguarding concerns",
        "Late and undelivered letters",
    ):
        assert label in page, label
    assert 'href="/care/worklist/#extensions-awaiting-approval"' in page
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">1</strong>' in page
    assert 'aria-current="page">Tasks</a>' in page
