"""Letters through the API and the pages: fields, PDF, approval, access (404 for what a user may not see)."""

import pytest

from pathway import services
from pathway.letters import services as letter_services
from pathway.models import Letter, LetterKind, LetterState, RecordAccess, Role
from pathway.tests import factories as f
from pathway.tests import letter_factories as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant(team):
    user = lf.consultant()
    team.members.add(user)
    return user


@pytest.fixture
def letter(consultant, team, practice):
    practice.mesh_mailbox = ""  # delivery by hand: these tests need no MESH server
    practice.save()
    episode = lf.discharged_episode(clinician=consultant, practice=practice)
    episode.team = team
    episode.save()
    return lf.discharge_letter(episode, actor=consultant)


def test_letter_detail_has_the_contract_fields(api_as, consultant, letter):
    response = api_as(consultant).get(f"/api/v1/letters/{letter.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {"id", "kind", "episode_id", "state", "due_on", "sent_at", "acknowledged_at", "mesh_message_id"} <= set(body)
    assert body["kind"] == "discharge" and body["state"] == "draft" and body["due_on"] == "2026-09-03"
    assert body["episode_id"] == letter.episode_id and body["sent_at"] is None
    assert RecordAccess.objects.filter(user=consultant, episode=letter.episode, via="api").exists()


def test_letter_pdf_renders_a_draft_on_demand(api_as, consultant, letter):
    response = api_as(consultant).get(f"/api/v1/letters/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    letter.refresh_from_db()
    assert not letter.pdf  # a preview is not stored; approval stores the signed PDF


def test_approve_stores_the_pdf_and_flags_manual_sending_without_a_mailbox(api_as, consultant, letter):
    response = api_as(consultant).post(f"/api/v1/letters/{letter.pk}/approve/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "manual"
    letter.refresh_from_db()
    assert letter.approved_by == consultant and bytes(letter.pdf).startswith(b"%PDF")
    again = api_as(consultant).post(f"/api/v1/letters/{letter.pk}/approve/")
    assert again.status_code == 409 and again.json()["code"] == "letter_state"
    pdf = api_as(consultant).get(f"/api/v1/letters/{letter.pk}/pdf/")
    assert pdf.content == bytes(letter.pdf)


def test_only_clinicians_approve(api_as, spa_user):
    episode = f.open_episode()
    letter = services.letter_create(
        kind=LetterKind.INFO_REQUEST, episode=episode, actor=spa_user, content={"reason": "Send the MRI report."}
    )
    assert api_as(spa_user).get(f"/api/v1/letters/{letter.pk}/").status_code == 200
    response = api_as(spa_user).post(f"/api/v1/letters/{letter.pk}/approve/")
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFT


def test_letters_of_episodes_a_user_may_not_see_are_404(api_as, letter):
    stranger = f.UserFactory(role=Role.CLINICIAN)
    other_gp = f.UserFactory(role=Role.GP_PRACTICE, practice=f.PracticeFactory())
    for user in (stranger, other_gp):
        client = api_as(user)
        assert client.get(f"/api/v1/letters/{letter.pk}/").status_code == 404
        assert client.get(f"/api/v1/letters/{letter.pk}/pdf/").status_code == 404
        assert client.post(f"/api/v1/letters/{letter.pk}/approve/").status_code == 404
    assert api_as(stranger).get("/api/v1/letters/999999/").status_code == 404


def test_gp_practice_reads_its_letters_once_sent(api_as, consultant, letter, practice):
    gp = f.UserFactory(role=Role.GP_PRACTICE, practice=practice)
    assert api_as(gp).get(f"/api/v1/letters/{letter.pk}/").status_code == 404  # a draft is not theirs yet
    letter_services.letter_approve(letter=letter, actor=consultant)
    letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    response = api_as(gp).get(f"/api/v1/letters/{letter.pk}/")
    assert response.status_code == 200 and response.json()["state"] == "sent"
    assert api_as(gp).get(f"/api/v1/letters/{letter.pk}/pdf/").content == bytes(Letter.objects.get(pk=letter.pk).pdf)
    assert api_as(gp).post(f"/api/v1/letters/{letter.pk}/approve/").status_code == 403


def test_unauthenticated_is_401(api_client, letter):
    assert api_client.get(f"/api/v1/letters/{letter.pk}/").status_code == 401


def test_letter_page_previews_the_pdf_and_approves_through_the_form(client, consultant, letter):
    client.force_login(consultant)
    page = client.get(f"/letters/{letter.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data="/letters/{letter.pk}/pdf/"' in html and "Approve and send" in html
    pdf = client.get(f"/letters/{letter.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    response = client.post(f"/letters/{letter.pk}/approve/", follow=True)
    assert "Letter approved." in response.content.decode()
    letter.refresh_from_db()
    assert letter.state == LetterState.MANUAL
    response = client.post(f"/letters/{letter.pk}/sent-by-hand/", follow=True)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.sent_at is not None


def test_outbox_and_episode_letter_lists_are_paginated_with_bounded_queries(
    client, service_lead, consultant, letter, django_assert_max_num_queries
):
    for _ in range(30):
        lf.discharge_letter(letter.episode, actor=consultant, due_on=None)
    client.force_login(service_lead)
    with django_assert_max_num_queries(10):
        response = client.get("/letters/")
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()
    with django_assert_max_num_queries(12):
        response = client.get(f"/letters/episode/{letter.episode_id}/")
    assert response.status_code == 200
    assert client.get("/letters/?state=draft").status_code == 200
    empty = client.get("/letters/?state=acknowledged").content.decode()
    assert "No letters in this state." in empty


def test_late_letters_page_is_for_the_service_lead(client, consultant, letter):
    client.force_login(consultant)
    assert client.get("/letters/late/").status_code == 404
