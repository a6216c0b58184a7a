"""Letter filters (pathway/letters/filters.py) shared by the outbox page and GET /api/v1/letters/."""

import pytest

from pathway.letters import services as letter_services
from pathway.models import LetterState

from . import letter_factories as lf
from .test_letters_api import consultant, letter  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_letter_list_api_filters_by_kind_state_and_episode_newest_first(api_as, consultant, letter):  # noqa: F811
    newer = lf.discharge_letter(letter.episode, actor=consultant, due_on=None)
    client = api_as(consultant)
    body = client.get("/api/v1/letters/").json()
    assert [row["id"] for row in body["results"]] == [newer.pk, letter.pk] and body["count"] == 2
    assert client.get("/api/v1/letters/", {"kind": "triage_outcome"}).json()["count"] == 0
    assert client.get("/api/v1/letters/", {"state": "draft", "kind": "discharge"}).json()["count"] == 2
    assert client.get("/api/v1/letters/", {"episode": letter.episode_id}).json()["count"] == 2
    assert client.get("/api/v1/letters/", {"episode": letter.episode_id + 1000}).json()["count"] == 0


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"state": "lost"}, {"state": ["'lost' is not a letter state."]}),
        ({"kind": "postcard"}, {"kind": ["'postcard' is not a kind of letter."]}),
        ({"episode": "\uff11"}, {"episode": ["Enter a whole number, for example 42."]}),
        ({"episode": "1.5"}, {"episode": ["Enter a whole number, for example 42."]}),
        ({"episode": "0"}, {"episode": ["Ensure this value is greater than or equal to 1."]}),
    ],
)
def test_letter_list_api_and_outbox_refuse_a_bad_filter_naming_it(
    api_as,
    client,
    consultant,  # noqa: F811
    letter,  # noqa: F811
    params,
    errors,
):
    response = api_as(consultant).get("/api/v1/letters/", params)
    assert response.status_code == 400 and response.json() == errors
    client.force_login(consultant)
    page = client.get("/letters/", params)
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode() and page.context["form"].errors == errors


def test_a_gp_practice_lists_only_its_own_delivered_letters(api_as, gp_user, consultant, letter):  # noqa: F811
    client = api_as(gp_user)
    assert client.get("/api/v1/letters/").json()["count"] == 0
    letter_services.letter_approve(letter=letter, actor=consultant)
    letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    body = client.get("/api/v1/letters/", {"state": "sent"}).json()
    assert [row["id"] for row in body["results"]] == [letter.pk]


def test_outbox_keeps_its_filters_in_the_page_links(client, consultant, letter):  # noqa: F811
    for _ in range(30):
        lf.discharge_letter(letter.episode, actor=consultant, due_on=None)
    client.force_login(consultant)
    response = client.get("/letters/", {"state": "draft", "kind": "discharge"})
    assert response.status_code == 200 and response.context["page"].paginator.count == 31
    assert "?kind=discharge&amp;state=draft&amp;page=2" in response.content.decode()
