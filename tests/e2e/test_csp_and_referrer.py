"""In a real browser: the patient's questionnaire posts (it was refused when the page sent
Referrer-Policy: no-referrer, as Chromium then posts Origin: null), and pages break no CSP rule."""

from datetime import date

import pytest

from outcomes import services
from outcomes.senders import LocmemSender
from outcomes.tests.factories import accepted_episode

pytestmark = pytest.mark.django_db(transaction=True)


def test_patient_questionnaire_form_posts_in_chromium(page, settings):
    settings.PROM_SENDER = "outcomes.senders.LocmemSender"
    LocmemSender.outbox = []
    episode = accepted_episode(email="p@example.invalid")
    invitation = services.prom_invitation_create(episode=episode, timepoint="entry", today=date.today())
    services.prom_invitation_send(invitation_id=invitation.pk)
    token = LocmemSender.outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]

    page.goto(f"/outcomes/q/{token}/")
    assert "Step 1 of" in page.inner_text("main")
    for i in range(1, 6):
        page.check(f"input[name=pseq_item_{i}][value='4']")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("button[value=continue]")
    assert posted.value.status == 302
    assert "Step 2 of" in page.inner_text("main")


def test_signed_in_pages_break_no_content_security_policy_rule(page, sign_in, service_lead):
    violations = []
    page.on("console", lambda m: violations.append((page.url, m.text)) if "Content Security Policy" in m.text else None)
    sign_in(service_lead)
    assert "js-enabled" in page.eval_on_selector("body", "el => el.className")  # the script moved to a file ran
    for url in ("/", "/patients/", "/triage/", "/reports/kpis/", "/api/docs/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert not violations, violations
