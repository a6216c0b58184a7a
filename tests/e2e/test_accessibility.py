"""axe-core on key pages: no serious or critical WCAG 2.2 AA violations (DESIGN.md section 11).

axe-core comes from npm (devDependency; the Makefile runs npm install); skipped when missing.
"""

from pathlib import Path

import pytest

from pathway.models import Role
from pathway.tests import factories as f
from referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""",
        TAGS,
    )
    return [f"{page.url} {v}" for v in found]


@pytest.fixture
def page(browser, live_server):
    """The pages with their CSP set aside, for axe-core's injected script only (tests/e2e/test_csp_and_referrer.py
    checks the CSP)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install)")


def test_key_pages_have_no_serious_accessibility_violations(axe, page, sign_in, practice, team):
    referral = make_referral(practice=practice)
    users = {
        "spa": f.UserFactory(role=Role.SPA_TRIAGE),
        "clinician": f.UserFactory(role=Role.CLINICIAN),
        "lead": f.UserFactory(role=Role.SERVICE_LEAD),
        "commissioner": f.UserFactory(role=Role.COMMISSIONER, commissioner=practice.commissioner),
        "gp": f.UserFactory(role=Role.GP_PRACTICE, practice=practice),
    }
    team.members.add(users["clinician"])
    pages = {
        "spa": ["/triage/", f"/triage/episodes/{referral.episode_id}/", f"/patients/{referral.patient_id}/"],
        "clinician": ["/care/worklist/"],
        "lead": [f"/care/episodes/{referral.episode_id}/", "/reports/kpis/", "/reports/ptl/"],
        "commissioner": ["/reports/kpis/"],
        "gp": [f"/patients/{referral.patient_id}/", f"/referrals/{referral.pk}/"],
    }
    page.goto("/sign-in/")
    problems = serious_violations(page)
    for role, user in users.items():
        page.context.clear_cookies()
        sign_in(user)
        problems += serious_violations(page)  # home for the role
        for url in pages[role]:
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            problems += serious_violations(page)
    assert not problems, "\n".join(problems)
