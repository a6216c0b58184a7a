from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathway import services as core
from pathway.models import Deadline, DeadlineKind, Episode, EpisodeState, Letter
from pathway.tests import factories as f
from referrals.models import Referral
from referrals.tests.factories import make_referral
from triage.models import RedFlagClearance
from triage.selectors import queue_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False):
        yield


def test_queue_page_has_columns_htmx_polling_and_a_refresh_link(client, spa_user, django_assert_max_num_queries):
    practice = f.PracticeFactory()
    for n in range(4):
        make_referral(practice=practice, received_on=date(2026, 10, 28), red_flags=["fracture"] if n else [])
    client.force_login(spa_user)
    with django_assert_max_num_queries(15):
        page = client.get("/triage/").content.decode()
    # Six columns, so the lead's queue with its reassign form fits 1280 px: urgency sits under the received
    # date, working days left or "Breached" under the due date.
    for column in ("Patient", "Received", "Triage due", "Red flags", "Claimed by"):
        assert f'class="nhsuk-table__header">{column}</th>' in page
    assert "working days left" in page or "Breached" in page
    assert '<span class="painway-counts__number">4</span> waiting' in page
    assert '<span class="painway-counts__number">4</span> unclaimed' in page
    assert 'hx-get="/triage/queue/table/"' in page and 'hx-trigger="every 30s"' in page
    assert "Refresh the queue now" in page and "Next referral" in page
    assert "Suspected fracture" in page and "Breached" in page
    partial = client.get("/triage/queue/table/").content.decode()
    assert "<html" not in partial and "Referrals waiting for triage (4)" in partial


def test_queue_page_counts_the_waiting_referrals_once_and_pages_by_that_count(client, spa_user):
    """The counts above the queue give the paginator its count: one COUNT of the waiting referrals, not two,
    and the pages still add up (30 waiting: 25 on page 1, 5 on page 2, no page 3)."""
    practice = f.PracticeFactory()
    for _ in range(30):
        make_referral(practice=practice, received_on=date(2026, 11, 3))
    client.force_login(spa_user)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/triage/").content.decode()
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"referrals_referral"' in q["sql"]]
    assert len(counting) == 1, counting
    assert '<span class="painway-counts__number">30</span> waiting' in first
    assert first.count('href="/triage/episodes/') == 25
    second = client.get("/triage/?page=2").content.decode()
    assert second.count('href="/triage/episodes/') == 5
    # Past the last page: the last page, as Paginator.get_page gives it.
    assert client.get("/triage/?page=3").content.decode().count('href="/triage/episodes/') == 5


def test_queue_counts_breached_by_date_or_by_a_deadline_marked_breached(spa_user):
    """Wed 4 Nov: one past its due date, one not yet due whose open triage deadline is marked breached
    (read only for those not past their due date), one on time."""
    practice = f.PracticeFactory()
    make_referral(practice=practice, received_on=date(2026, 10, 28))  # due Fri 30 Oct
    marked = make_referral(practice=practice, received_on=date(2026, 11, 3))  # due Thu 5 Nov
    make_referral(practice=practice, received_on=date(2026, 11, 4))
    today = date(2026, 11, 4)
    assert queue_counts(spa_user, today)["breached_count"] == 1
    Deadline.objects.filter(episode_id=marked.episode_id, kind=DeadlineKind.TRIAGE).update(breached_on=today)
    counts = queue_counts(spa_user, today)
    assert (counts["waiting"], counts["unclaimed"], counts["breached_count"]) == (3, 3, 2)


def test_queue_counts_each_waiting_referral_once_and_only_those_waiting(spa_user):
    """Past due and marked breached is one breach; a claim, a due date or a breach of a referral that
    has left triage counts for nothing; a met or cancelled deadline marked breached is no breach."""
    practice = f.PracticeFactory()
    late = make_referral(practice=practice, received_on=date(2026, 10, 28))  # due Fri 30 Oct
    claimed = make_referral(practice=practice, received_on=date(2026, 11, 3))  # due Thu 5 Nov
    met = make_referral(practice=practice, received_on=date(2026, 11, 4))  # due Fri 6 Nov
    gone = make_referral(practice=practice, received_on=date(2026, 11, 2))  # due Wed 4 Nov: today
    today = date(2026, 11, 4)
    assert queue_counts(spa_user, today) == {"waiting": 4, "unclaimed": 4, "due_today": 1, "breached_count": 1}
    triage_deadlines = Deadline.objects.filter(kind=DeadlineKind.TRIAGE)
    triage_deadlines.filter(episode_id__in=[late.episode_id, gone.episode_id]).update(breached_on=today)
    triage_deadlines.filter(episode_id=met.episode_id).update(breached_on=today, met_on=today)
    Referral.objects.filter(pk__in=[claimed.pk, gone.pk]).update(claimed_by=spa_user)
    assert queue_counts(spa_user, today) == {"waiting": 4, "unclaimed": 2, "due_today": 1, "breached_count": 2}
    Episode.objects.filter(pk=gone.episode_id).update(state=EpisodeState.ACCEPTED)
    assert queue_counts(spa_user, today) == {"waiting": 3, "unclaimed": 2, "due_today": 0, "breached_count": 1}


def test_empty_queue_says_so(client, spa_user):
    client.force_login(spa_user)
    assert "No referrals are waiting for triage" in client.get("/triage/").content.decode()


def test_next_referral_button_claims_and_opens_the_triage_page(client, spa_user):
    referral = make_referral(received_on=date(2026, 11, 2), urgency="palliative", referrer_type="palliative_care")
    client.force_login(spa_user)
    response = client.post("/triage/next/")
    assert response.status_code == 302 and response.url == f"/triage/episodes/{referral.episode_id}/"
    assert Referral.objects.get().claimed_by == spa_user
    page = client.get(response.url).content.decode()
    assert "Acceptance criteria" in page and "Aged 18 or over" in page and "Pain for at least 3 months" in page
    client.post(f"/triage/referrals/{referral.pk}/release/")
    assert Referral.objects.get().claimed_by is None


def test_next_on_empty_queue_says_so(client, spa_user):
    client.force_login(spa_user)
    response = client.post("/triage/next/", follow=True)
    assert "no unclaimed referrals" in response.content.decode()


def test_lead_reassigns_from_the_queue_page(client, service_lead):
    referral = make_referral(received_on=date(2026, 11, 2))
    other = f.UserFactory(role="spa_triage")
    client.force_login(service_lead)
    assert "Reassign" in client.get("/triage/").content.decode()
    client.post(f"/triage/referrals/{referral.pk}/reassign/", {"user": other.pk})
    assert Referral.objects.get().claimed_by == other


def test_triager_cannot_reassign(client, spa_user):
    referral = make_referral(received_on=date(2026, 11, 2))
    client.force_login(spa_user)
    assert client.post(f"/triage/referrals/{referral.pk}/reassign/", {"user": spa_user.pk}).status_code == 404


def test_outcome_form_accepts_to_a_tier(client, spa_user, team):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client.force_login(spa_user)
    page = client.get(f"/triage/episodes/{episode.pk}/").content.decode()
    assert "Required to accept to tier 2 or 3" in page and "Team (optional)" not in page
    response = client.post(
        f"/triage/episodes/{episode.pk}/", {"outcome": "accept", "tier": "3", "team": team.pk, "version": 1}
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.state, episode.tier, episode.admitted_on, episode.team) == ("accepted", 3, date(2026, 11, 4), team)


def test_outcome_form_errors_are_shown(client, spa_user):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client.force_login(spa_user)
    url = f"/triage/episodes/{episode.pk}/"
    missing_tier = client.post(url, {"outcome": "accept", "version": 1})
    assert missing_tier.status_code == 400 and "Choose tier 1, 2 or 3" in missing_tier.content.decode()
    missing_team = client.post(url, {"outcome": "accept", "tier": "3", "version": 1})
    assert (
        missing_team.status_code == 400
        and "Choose the team that will care for the patient" in missing_team.content.decode()
    )
    episode.refresh_from_db()
    assert episode.state == "triage"
    no_reason = client.post(url, {"outcome": "reject", "version": 1})
    assert "reason for returning" in no_reason.content.decode()
    stale = client.post(url, {"outcome": "reject", "reason": "x", "version": 9})
    assert "changed by someone else" in stale.content.decode()


def test_outcome_form_rejects_with_letter_and_redirects(client, spa_user):
    first = make_referral(received_on=date(2026, 11, 2)).episode
    second = make_referral(received_on=date(2026, 11, 2)).episode
    client.force_login(spa_user)
    client.post(f"/triage/episodes/{first.pk}/", {"outcome": "reject", "reason": "Acute pain", "version": 1})
    client.post(
        f"/triage/episodes/{second.pk}/",
        {"outcome": "redirect", "reason": "Palliative", "redirect_to": "palliative", "version": 1},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("rejected", "redirected")
    assert Letter.objects.filter(kind="triage_outcome").count() == 2


def test_red_flag_blocks_form_acceptance_until_cleared_on_the_page(client, spa_user, service_lead, team):
    referral = make_referral(received_on=date(2026, 11, 2), red_flags=["cauda_equina"])
    episode = referral.episode
    client.force_login(spa_user)
    blocked = client.post(
        f"/triage/episodes/{episode.pk}/", {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1}
    )
    assert blocked.status_code == 400 and "Red flags must be cleared" in blocked.content.decode()
    assert (
        client.post(
            f"/triage/episodes/{episode.pk}/red-flags/clear/", {"flag": "cauda_equina", "reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(service_lead)
    page = client.get(f"/triage/episodes/{episode.pk}/").content.decode()
    assert "Clear this red flag" in page
    empty = client.post(f"/triage/episodes/{episode.pk}/red-flags/clear/", {"flag": "cauda_equina", "reason": ""})
    assert empty.status_code == 400 and not RedFlagClearance.objects.exists()
    client.post(f"/triage/episodes/{episode.pk}/red-flags/clear/", {"flag": "cauda_equina", "reason": "MRI clear"})
    assert RedFlagClearance.objects.get().reason == "MRI clear"
    client.force_login(spa_user)
    assert "MRI clear" in client.get(f"/triage/episodes/{episode.pk}/").content.decode()
    ok = client.post(
        f"/triage/episodes/{episode.pk}/", {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1}
    )
    assert ok.status_code == 302


def test_info_requested_then_received_on_the_page(client, spa_user):
    episode = make_referral(received_on=date(2026, 11, 2)).episode
    client.force_login(spa_user)
    client.post(f"/triage/episodes/{episode.pk}/", {"outcome": "request_info", "reason": "Send x-ray", "version": 1})
    episode.refresh_from_db()
    assert episode.state == "info_requested"
    assert "Information received" in client.get(f"/triage/episodes/{episode.pk}/").content.decode()
    client.post(f"/triage/episodes/{episode.pk}/info-received/", {"note": "X-ray report"})
    episode.refresh_from_db()
    assert episode.state == "triage"


def test_gp_and_clinician_cannot_open_triage_pages(client, gp_user, clinician):
    episode = make_referral(practice=gp_user.profile.practice, received_on=date(2026, 11, 2)).episode
    for user in (gp_user, clinician):
        client.force_login(user)
        assert client.get("/triage/").status_code == 404
        assert client.get(f"/triage/episodes/{episode.pk}/").status_code == 404


def test_breaches_page_lists_waiting_breaches_first(client, service_lead):
    late_done = make_referral(received_on=date(2026, 10, 26)).episode
    waiting = make_referral(received_on=date(2026, 10, 28)).episode
    make_referral(received_on=date(2026, 11, 3))
    core.deadline_sweep(today=date(2026, 11, 4))
    from triage import services

    services.triage_decide(episode=late_done, outcome="accept", tier=1, actor=service_lead)
    client.force_login(service_lead)
    page = client.get("/triage/breaches/").content.decode()
    assert "Breached triage deadlines (2)" in page
    assert page.index(f"/triage/episodes/{waiting.pk}/") < page.index(f"/triage/episodes/{late_done.pk}/")
    assert "Still waiting" in page and "Triaged late on 4 Nov 2026" in page


def test_commissioners_served_rule_decides_the_area_criterion(client, spa_user, settings):
    from triage.criteria import acceptance_criteria

    referral = make_referral(received_on=date(2026, 11, 2))
    code = referral.practice.commissioner.code

    def area_met():
        (row,) = [c for c in acceptance_criteria(referral) if "commissioner the service serves" in c["label"]]
        return row["met"]

    assert area_met()  # no list configured: every commissioner in the reference data
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "commissioners_served": ["QZZ"]}
    assert not area_met()
    client.force_login(spa_user)
    page = client.get(f"/triage/episodes/{referral.episode_id}/").content.decode()
    area_row = page[page.index("commissioner the service serves") :].split("</tr>")[0]
    assert "nhsuk-tag--red" in area_row
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "commissioners_served": ["QZZ", code.lower()]}
    assert area_met()


def test_spa_sends_a_red_flag_to_a_clinician_who_opens_and_clears_it(client, spa_user, clinician):
    """As found: SPA staff were told a clinician must clear the red flag, the clinician got 404 on the only
    page that clears it, and there was no way to send it to one."""
    referral = make_referral(received_on=date(2026, 11, 2), red_flags=["cauda_equina"])
    episode = referral.episode
    client.force_login(clinician)
    assert client.get(f"/triage/episodes/{episode.pk}/").status_code == 404  # not sent to them yet
    assert "No referrals are waiting" in client.get("/triage/red-flags/").content.decode()

    client.force_login(spa_user)
    page = client.get(f"/triage/episodes/{episode.pk}/").content.decode()
    assert "Send to a clinician" in page and f'value="{clinician.pk}"' in page
    refused = client.post(f"/triage/episodes/{episode.pk}/red-flags/send/", {"clinician": ""})
    assert refused.status_code == 400 and "Choose a clinician to send the referral to." in refused.content.decode()
    sent = client.post(
        f"/triage/episodes/{episode.pk}/red-flags/send/", {"clinician": clinician.pk, "note": "Back pain, numbness"}
    )
    assert sent.status_code == 302

    client.force_login(clinician)
    worklist = client.get("/care/worklist/").content.decode()
    assert 'id="red-flags"' in worklist and f"/triage/episodes/{episode.pk}/" in worklist
    listing = client.get("/triage/red-flags/").content.decode()
    assert referral.patient.nhs_number_display in listing and f"/triage/episodes/{episode.pk}/" in listing
    page = client.get(f"/triage/episodes/{episode.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clear this red flag" in html and "Record triage outcome" not in html
    cleared = client.post(
        f"/triage/episodes/{episode.pk}/red-flags/clear/", {"flag": "cauda_equina", "reason": "No saddle anaesthesia"}
    )
    assert cleared.status_code == 302
    assert RedFlagClearance.objects.get().cleared_by == clinician
    assert "No referrals are waiting" in client.get("/triage/red-flags/").content.decode()
    # The clinician clears flags; accepting is the SPA's, unless a criterion fails and they override it.
    refused = client.post(f"/triage/episodes/{episode.pk}/", {"outcome": "accept", "tier": "1", "version": 1})
    assert refused.status_code == 400 and "A clinician may only accept the referral" in refused.content.decode()
    episode.refresh_from_db()
    assert episode.state == "triage"

    client.force_login(spa_user)
    ok = client.post(f"/triage/episodes/{episode.pk}/", {"outcome": "accept", "tier": "1", "version": 1})
    assert ok.status_code == 302
    client.force_login(clinician)  # accepted to a tier without their team: no longer theirs to see
    assert client.get(f"/triage/episodes/{episode.pk}/").status_code == 404


def test_lead_queue_reassign_select_survives_the_30_second_refresh(client, service_lead):
    """As found: the refresh replaced the table and wiped the name the lead had chosen."""
    make_referral(received_on=date(2026, 11, 2))
    client.force_login(service_lead)
    partial = client.get("/triage/queue/table/").content.decode()
    select = partial[partial.index("<select") : partial.index(">", partial.index("<select"))]
    assert 'hx-preserve="true"' in select and 'id="reassign-' in select


def test_visibility_through_the_join_is_the_visibility_subquery(spa_user, clinician, service_lead, gp_user, team):
    """The queue filters referrals by the episode's visibility through the join (no subquery to plan): the
    same referrals, for every role, as the policy's queryset of visible episodes."""
    from django.contrib.auth.models import AnonymousUser

    from pathway.access import episode_visible_through, episodes_visible_to
    from pathway.models import Episode, EpisodeState

    referrals = [make_referral(practice=gp_user.profile.practice if n == 0 else None) for n in range(5)]
    Episode.objects.filter(pk=referrals[1].episode_id).update(team=team)
    Episode.objects.filter(pk=referrals[2].episode_id).update(state=EpisodeState.DISCHARGED)
    Episode.objects.filter(pk=referrals[3].episode_id).update(responsible_clinician=clinician)
    Episode.objects.filter(pk=referrals[4].episode_id).update(state=EpisodeState.REJECTED)
    for user in (spa_user, clinician, service_lead, gp_user, AnonymousUser()):
        joined = set(Referral.objects.filter(episode_visible_through(user)).values_list("pk", flat=True))
        subquery = set(
            Referral.objects.filter(episode__in=episodes_visible_to(user).values("pk")).values_list("pk", flat=True)
        )
        assert joined == subquery, user
    assert len(set(Referral.objects.filter(episode_visible_through(clinician)).values_list("pk", flat=True))) == 2
