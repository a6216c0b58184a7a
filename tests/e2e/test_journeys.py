"""One journey a role in headless Chromium against the live server (issue 17): what each user sees on the
way, no serious or critical axe-core violation on any page, and screenshots at 1280 and 390 pixels.

The screenshots go to docs/screenshots/ (the README shows the main ones) only when asked for
(``make screenshots``, which sets PAINWAY_UPDATE_SCREENSHOTS); a test run writes them to a temporary
folder, so ``make test`` leaves the work tree as it found it."""

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from careplans.services import extension_request
from careplans.tests.factories import accepted_episode
from outcomes import services as outcome_services
from outcomes.senders import LocmemSender
from pathway import services as core
from pathway.models import Letter, LetterKind, LetterState, Role
from pathway.tests import factories as f
from referrals.tests.factories import make_referral

from .test_accessibility import AXE, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("PAINWAY_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "painway-screenshots"
)
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def page(browser, live_server):
    """CSP set aside for axe-core's injected script only (test_csp_and_referrer.py checks the CSP)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install)")
    context = browser.new_context(base_url=live_server.url, viewport=WIDE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class Look:
    """Checks each page a journey reaches; the problems are asserted at the end of the journey."""

    def __init__(self, page):
        self.page, self.problems = page, []

    def __call__(self, name: str | None = None, *, narrow: bool = True) -> str:
        page = self.page
        page.wait_for_load_state("networkidle")  # a letter's PDF preview loads in its own frame
        self.problems += serious_violations(page)
        if name:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            width = page.viewport_size["width"]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=False)
        if narrow and page.viewport_size["width"] > NARROW["width"]:
            page.set_viewport_size(NARROW)
            page.wait_for_timeout(200)  # the header moves what does not fit under "More" on resize
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                self.problems.append(f"{page.url} scrolls sideways by {overflow}px at 390")
            if name:
                page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=False)
            page.set_viewport_size(WIDE)
        return page.inner_text("main")

    def done(self):
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def look(page):
    return Look(page)


def test_gp_refers_with_a_mistyped_nhs_number_then_opens_the_letter(page, sign_in, look, practice):
    gp = f.UserFactory(role=Role.GP_PRACTICE, practice=practice)
    sign_in(gp)
    assert page.url.endswith("/referrals/")
    assert "Letters inbox" in look("gp-home")
    page.click("text=Refer a patient >> nth=0")
    good = f.valid_nhs_number(7)
    fields = {
        "nhs_number": good[:9] + str((int(good[9]) + 1) % 10),  # the last digit mistyped
        "given_name": "Ann",
        "family_name": "Hartley",
        "date_of_birth": "1968-04-12",
        "postcode": "DL1 1AA",
        "pain_site": "lower back",
        "duration_months": "14",
        "impact": "Off work",
        "reason": "Persistent low back pain",
    }
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.select_option("#id_sex", "female")
    page.click("main button[type=submit]")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    summary = page.inner_text(".nhsuk-error-summary")
    assert "There is a problem" in summary and "NHS number" in summary
    look("gp-referral-error")
    page.fill("#id_nhs_number", good)
    page.click("main button[type=submit]")
    assert "/referrals/" in page.url and "HARTLEY, Ann" in look()

    referral = gp.profile.practice.episodes.get().referral
    letter = core.letter_create(kind=LetterKind.TRIAGE_OUTCOME, episode=referral.episode)
    Letter.objects.filter(pk=letter.pk).update(state=LetterState.SENT, sent_at=timezone.now())
    page.goto("/")
    assert "Letters inbox: 1 unread" in look()
    page.click("header >> text=Letters inbox")
    assert "1 unread" in look("gp-letters-inbox")
    page.click("main table a")
    assert f"/letters/{letter.pk}/" in page.url
    look(narrow=False)
    page.goto("/letters/inbox/")
    assert "All read" in page.inner_text("main")
    look.done()


def test_spa_claims_sends_a_red_flag_to_a_clinician_who_clears_it_then_accepts(
    browser, live_server, page, sign_in, look, spa_user, clinician, team
):
    referral = make_referral(received_on=date.today(), red_flags=["cauda_equina"], given_name="Bryn")
    make_referral(received_on=date.today())
    sign_in(spa_user)
    assert page.url.endswith("/triage/")
    text = look("spa-queue")
    assert "2\nwaiting" in text or "2 waiting" in text
    page.click("text=Next referral")
    assert f"/triage/episodes/{referral.episode_id}/" in page.url
    assert "Blocks acceptance until a clinician clears it" in look("spa-triage-red-flag", narrow=False)
    page.select_option("#id_clinician", str(clinician.pk))
    page.fill("#id_note", "Saddle numbness mentioned in the letter")
    page.click("text=Send to a clinician >> nth=-1")
    assert "Sent to" in page.inner_text("main")

    page.context.clear_cookies()
    sign_in(clinician)
    page.click("header >> text=Red flags to review")
    assert referral.patient.nhs_number_display in look("clinician-red-flags")
    page.click("main table a")
    page.fill("#clear-cauda_equina", "Phoned the patient: no saddle anaesthesia")
    page.click("text=Clear this red flag")
    assert "Red flag cleared." in look(narrow=False)

    page.context.clear_cookies()
    sign_in(spa_user)
    page.goto(f"/triage/episodes/{referral.episode_id}/")
    page.check("input[name=outcome][value=accept]")
    page.check("input[name=tier][value='2']")
    if page.locator("select#id_team").count():
        page.select_option("select#id_team", str(team.pk))
    elif page.locator(f"input[name=team][value='{team.pk}']").count():
        page.check(f"input[name=team][value='{team.pk}']")
    page.click("text=Record triage outcome")
    assert "Triage recorded: Accept." in look()
    look.done()


def test_clinician_books_records_dna_and_attendance_assesses_plans_prescribes_discharges_and_approves(
    page, sign_in, look, clinician, team
):
    today = date.today()
    episode = accepted_episode(team=team, tier=3, received_on=today - timedelta(days=20))
    sign_in(clinician)
    assert page.url.endswith("/care/worklist/")
    look("clinician-worklist")
    base = f"/care/episodes/{episode.pk}/"

    def book(kind):
        page.goto(base + "appointments/new/")
        page.select_option("#id_kind", kind)
        page.fill("#id_date", today.isoformat())
        page.fill("#id_time", "09:30")
        page.click("main button[type=submit]")

    def outcome(value):
        page.click("text=Record outcome >> nth=0")
        page.check(f"input[name=outcome][value={value}]")
        page.click("main button[type=submit]")

    book("new")
    outcome("dna")
    assert "Clinician decision required" in page.inner_text("main")
    book("review")
    outcome("attended")
    assert "Attended" in page.inner_text("#appointments ~ table")

    page.goto(base + "assessment/")
    assert page.input_value("#id_assessed_on") == today.isoformat()
    page.fill("#id_biological", "Lumbar spondylosis")
    page.click("main button[type=submit]")
    page.goto(base + "careplan/")
    page.fill("#id_goals", "Walk to the shops")
    page.fill("#id_emergency_plan", "New leg weakness: call 999")
    page.click("main button[type=submit]")

    # Morphine 40 mg twice a day (80 mg OME), then oxycodone 20 mg twice a day (60): past the 100 mg threshold.
    for drug, dose in (("morphine", "40"), ("oxycodone", "20")):
        page.goto(base + "medications/new/")
        assert page.input_value("#id_started_on") == today.isoformat()
        page.select_option("#id_drug", drug)
        page.fill("#id_dose_mg", dose)
        page.fill("#id_doses_per_day", "2")
        page.click("main button[type=submit]")
    alert = page.inner_text(".app-ome-alert")
    assert alert.startswith("Opioid alert") and "140.00 mg OME a day" in alert
    look("clinician-episode-ome-alert")

    page.goto(base + "discharge/")
    assert page.input_value("#id_date") == today.isoformat()
    page.select_option("#id_reason", "completed")
    # The two medication reviews and the stewardship review are still open: the form asks to confirm them.
    assert "Open urgent tasks" in page.inner_text("main")
    page.check("#id_confirm_open_tasks")
    page.click("main button[type=submit]")
    assert "Patient discharged" in page.inner_text("main")
    page.click("#letters ~ table >> text=Discharge letter >> nth=0")
    page.click("text=Approve")
    assert "Letter approved." in look(narrow=False)
    look.done()


def test_patient_answers_a_questionnaire_on_a_phone(browser, live_server, settings):
    settings.PROM_SENDER = "outcomes.senders.LocmemSender"
    LocmemSender.outbox = []
    from outcomes.tests.factories import accepted_episode as prom_episode

    invitation = outcome_services.prom_invitation_create(
        episode=prom_episode(email="p@example.invalid"), timepoint="entry", today=date.today()
    )
    outcome_services.prom_invitation_send(invitation_id=invitation.pk)
    token = LocmemSender.outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]
    context = browser.new_context(base_url=live_server.url, viewport=NARROW, bypass_csp=True)
    page = context.new_page()
    look = Look(page)
    page.goto(f"/outcomes/q/{token}/")
    assert "Step 1 of" in look("patient-questionnaire", narrow=False)
    for i in range(1, 6):
        page.check(f"input[name=pseq_item_{i}][value='4']")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("button[value=continue]")
    assert posted.value.status == 302
    assert "Step 2 of" in look(narrow=False)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()
    look.done()


def test_lead_reassigns_a_referral_and_sees_an_extension_waiting(
    page, sign_in, look, service_lead, spa_user, clinician, team
):
    referral = make_referral(received_on=date.today())
    episode = accepted_episode(team=team, tier=3, received_on=date.today() - timedelta(days=300))
    until = date.today() + timedelta(days=60)
    sign_in(service_lead)
    assert "Waiting for you" in look("lead-home")
    page.click("header >> text=Triage queue")
    select = f"#reassign-{referral.pk}"
    page.select_option(select, str(spa_user.pk))
    page.evaluate("htmx.trigger('#triage-queue', 'every 30s')")  # what the 30-second refresh does
    page.wait_for_timeout(300)
    assert page.input_value(select) == str(spa_user.pk)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the lead's queue is {width}px wide at 1280"
    look("lead-queue", narrow=True)
    page.click(f"#reassign-{referral.pk} ~ button")
    assert "The referral has been reassigned." in page.inner_text("main")

    # A clinician asked for time past nine months: the lead sees it waiting for the commissioner.
    extension_request(episode=episode, rationale="Awaiting spinal cord stimulator trial", until=until, actor=clinician)
    page.goto("/")
    assert "Extensions waiting for the commissioner" in page.inner_text("main")
    page.click("main >> text=Extensions waiting for the commissioner")
    assert "/care/worklist/" in page.url and "extension to" in page.inner_text("main")
    page.goto(f"/care/episodes/{episode.pk}/")
    text = look("lead-episode")
    assert "Awaiting spinal cord stimulator trial" in text and "Waiting for the commissioner's agreement" in text
    look.done()


def test_commissioner_reads_the_kpis_and_agrees_an_extension(page, sign_in, look, clinician, team):
    episode = accepted_episode(team=team, tier=3, received_on=date.today() - timedelta(days=300))
    until = date.today() + timedelta(days=60)
    extension_request(episode=episode, rationale="Awaiting spinal cord stimulator trial", until=until, actor=clinician)
    commissioner = f.UserFactory(role=Role.COMMISSIONER, commissioner=episode.practice.commissioner)
    sign_in(commissioner)
    assert page.url.endswith("/reports/kpis/")
    text = look("commissioner-kpis")
    assert "KPI" in text
    page.goto("/care/extensions/pending/")
    text = look("commissioner-extensions")
    # The pseudonym, tier, dates and rationale; no name or NHS number.
    assert "Awaiting spinal cord stimulator trial" in text
    assert episode.patient.family_name.upper() not in text.upper()
    assert episode.patient.nhs_number not in text.replace(" ", "")
    page.click("main button[value=agreed]")
    assert "agreed" in look(narrow=False)
    episode.refresh_from_db()
    assert episode.extensions.get().approved_at is not None
    look.done()
