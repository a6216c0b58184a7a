"""Staff pages: the outcomes page with its chart, paper returns, the feedback log."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from outcomes import services
from outcomes.models import Feedback, PromResponse
from outcomes.selectors import episode_prom_summary
from pathway.models import RecordAccess

from .factories import accepted_episode, discharged_episode

pytestmark = pytest.mark.django_db
EQ = {"mobility": 3, "self_care": 2, "usual_activities": 3, "pain_discomfort": 4, "anxiety_depression": 3}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def record(episode, timepoint, pseq_items, interference, eq, value_set=None):
    # Entry answers come before the discharge (received 1 Oct), discharge answers after it (today).
    on = date(2026, 10, 5) if timepoint == "entry" else None
    services.prom_response_create(
        episode=episode, instrument="PSEQ", timepoint=timepoint, answers={"items": pseq_items}, completed_on=on
    )
    services.prom_response_create(
        episode=episode,
        instrument="BPI",
        timepoint=timepoint,
        answers={"severity": [6, 6, 6, 6], "interference": interference},
        completed_on=on,
    )
    services.prom_response_create(
        episode=episode,
        instrument="EQ5D5L",
        timepoint=timepoint,
        answers={**eq, "vas": 50},
        value_set=value_set,
        completed_on=on,
    )


def test_summary_gives_scores_change_and_meaningful_improvement():
    episode = discharged_episode(discharged_on=date(2026, 10, 20))
    record(episode, "entry", [2] * 10, [6] * 7, EQ)
    record(episode, "discharge", [3] * 9 + [0], [5, 5, 5, 5, 5, 5, 4], {**EQ, "pain_discomfort": 3})
    summary = {item["instrument"]: item for item in episode_prom_summary(episode)}
    pseq = summary["PSEQ"]
    assert pseq["values"] == {"entry": 20, "discharge": 27, "followup": None}
    assert pseq["changes"]["discharge"] == {"change": 7, "improved": True}
    assert pseq["changes"]["followup"] == {"change": None, "improved": None}
    bpi = summary["BPI"]
    assert bpi["changes"]["discharge"]["change"] == pytest.approx(-1.1429) and bpi["changes"]["discharge"]["improved"]
    eq5d = summary["EQ5D5L"]
    # 32343 UK: 1 - (.058+.038+.086+.371+.126) = 0.321; 32333: 1 - (.058+.038+.086+.066+.126) = 0.626
    assert eq5d["values"]["entry"] == pytest.approx(0.321) and eq5d["values"]["discharge"] == pytest.approx(0.626)
    assert eq5d["changes"]["discharge"]["improved"] is True and eq5d["value_set"] == "UK2026"


def test_improvement_thresholds_are_configurable(settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "pseq_improvement_points": 8}
    episode = discharged_episode(discharged_on=date(2026, 10, 20))
    record(episode, "entry", [2] * 10, [6] * 7, EQ)
    record(episode, "discharge", [3] * 9 + [0], [6] * 7, EQ)
    pseq = episode_prom_summary(episode)[0]
    assert pseq["changes"]["discharge"] == {"change": 7, "improved": False}


def test_eq5d_change_compares_in_one_value_set():
    episode = discharged_episode(discharged_on=date(2026, 10, 20))
    record(episode, "entry", [2] * 10, [6] * 7, EQ, value_set="UK2026")
    record(episode, "discharge", [2] * 10, [6] * 7, EQ, value_set="ENG2018")
    eq5d = episode_prom_summary(episode)[2]
    assert eq5d["changes"]["discharge"]["change"] == 0


def test_outcomes_page_shows_chart_and_logs_the_view(clinician, team, django_assert_max_num_queries):
    episode = discharged_episode(discharged_on=date(2026, 10, 20), team=team)
    record(episode, "entry", [2] * 10, [6] * 7, EQ)
    record(episode, "discharge", [4] * 10, [3] * 7, EQ)
    client = signed_in(clinician)
    with django_assert_max_num_queries(20):
        r = client.get(f"/outcomes/episodes/{episode.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "<svg" in html and "Meaningful improvement" in html and "PSEQ total" in html
    assert RecordAccess.objects.filter(user=clinician, episode=episode).exists()


def test_outcomes_page_is_404_outside_the_team_and_for_gp(clinician, gp_user):
    episode = accepted_episode(practice=gp_user.profile.practice)
    assert signed_in(clinician).get(f"/outcomes/episodes/{episode.pk}/").status_code == 404
    assert signed_in(gp_user).get(f"/outcomes/episodes/{episode.pk}/").status_code == 404


@time_machine.travel(date(2026, 11, 10))
def test_paper_return_missing_and_out_of_range_items_are_field_errors(clinician, team):
    episode = accepted_episode(team=team)
    client = signed_in(clinician)
    url = f"/outcomes/episodes/{episode.pk}/proms/new/"
    assert "Pain Self-Efficacy" in client.get(url).content.decode()
    data = {"instrument": "PSEQ", "timepoint": "entry", "completed_on": "2026-11-09"}
    data.update({f"item_{i}": 3 for i in range(1, 11)})
    data["item_3"] = 7
    data["item_5"] = ""
    r = client.post(url, data)
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in html
    assert "Item 3: give a whole number from 0 to 6." in html
    assert "Item 5: answer this question, or mark the return incomplete." in html
    assert not PromResponse.objects.exists()

    data["item_3"] = 4
    data["incomplete"] = "on"
    r = client.post(url, data)
    assert r.status_code == 302
    stored = PromResponse.objects.get()
    assert not stored.complete and stored.scores == {} and stored.source == "paper"
    assert stored.entered_by == clinician and stored.completed_on == date(2026, 11, 9)


@time_machine.travel(date(2026, 11, 10))
def test_paper_eq5d_with_england_value_set(clinician, team):
    episode = accepted_episode(team=team)
    data = {"instrument": "EQ5D5L", "timepoint": "entry", "completed_on": "2026-11-10", "value_set": "ENG2018"}
    data.update({"mobility": 2, "self_care": 1, "usual_activities": 1, "pain_discomfort": 4, "anxiety_depression": 3})
    data["vas"] = 55
    r = signed_in(clinician).post(f"/outcomes/episodes/{episode.pk}/proms/new/", data)
    assert r.status_code == 302
    stored = PromResponse.objects.get()
    assert stored.value_set == "ENG2018" and stored.scores["index"] == pytest.approx(0.562)


def test_paper_return_for_spa_is_404(spa_user):
    episode = accepted_episode()
    assert signed_in(spa_user).get(f"/outcomes/episodes/{episode.pk}/proms/new/").status_code == 404


@time_machine.travel(date(2026, 11, 10))
def test_feedback_log_create_edit_filter_and_paginate(service_lead, django_assert_max_num_queries):
    client = signed_in(service_lead)
    episode = accepted_episode()
    r = client.post(
        "/outcomes/feedback/new/",
        {"kind": "complaint", "received_on": "2026-11-02", "summary": "Waited too long", "episode_ref": episode.pk},
    )
    assert r.status_code == 302
    complaint = Feedback.objects.get()
    assert complaint.episode == episode and complaint.recorded_by == service_lead and complaint.closed_on is None
    # Closing a complaint needs the action taken.
    r = client.post(
        f"/outcomes/feedback/{complaint.pk}/edit/",
        {"kind": "complaint", "received_on": "2026-11-02", "summary": "Waited too long", "closed_on": "2026-11-09"},
    )
    assert r.status_code == 200 and "Say what action was taken" in r.content.decode()
    r = client.post(
        f"/outcomes/feedback/{complaint.pk}/edit/",
        {
            "kind": "complaint",
            "received_on": "2026-11-02",
            "summary": "Waited too long",
            "closed_on": "2026-11-09",
            "action_taken": "Apologised; extra clinic added.",
            "episode_ref": episode.pk,
        },
    )
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert complaint.closed_on == date(2026, 11, 9) and complaint.action_taken.startswith("Apologised")
    for n in range(30):
        services.feedback_create(kind="compliment", received_on=date(2026, 10, 1), summary=f"Thanks {n}", actor=None)
    with django_assert_max_num_queries(10):
        r = client.get("/outcomes/feedback/?kind=compliment")
    assert r.status_code == 200 and r.context["page"].paginator.count == 30 and "Page 1 of 2" in r.content.decode()
    r = client.get("/outcomes/feedback/?status=closed")
    assert [fb.pk for fb in r.context["page"].object_list] == [complaint.pk]
    r = client.get("/outcomes/feedback/?received_from=2026-11-01&received_to=2026-11-30")
    assert r.context["page"].paginator.count == 1


@time_machine.travel(date(2026, 11, 10))
def test_feedback_form_errors(clinician):
    client = signed_in(clinician)
    r = client.post(
        "/outcomes/feedback/new/",
        {"kind": "complaint", "received_on": "2026-12-01", "summary": "", "episode_ref": 999999},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in html
    assert not Feedback.objects.exists()
    r = client.post(
        "/outcomes/feedback/new/",
        {"kind": "complaint", "received_on": "2026-11-01", "summary": "x", "episode_ref": 999999},
    )
    assert "no episode with that number" in r.content.decode() and not Feedback.objects.exists()
    r = client.post("/outcomes/feedback/new/", {"kind": "complaint", "received_on": "2026-12-01", "summary": "x"})
    assert "cannot be in the future" in r.content.decode() and not Feedback.objects.exists()


def test_feedback_log_not_for_gp_or_commissioner(gp_user, commissioner_user):
    assert signed_in(gp_user).get("/outcomes/feedback/").status_code == 404
    assert signed_in(commissioner_user).get("/outcomes/feedback/").status_code == 404


def test_chart_template_tag_renders_for_an_episode():
    from django.template import Context, Template

    episode = discharged_episode(discharged_on=date(2026, 10, 20))
    record(episode, "entry", [2] * 10, [6] * 7, EQ)
    html = Template("{% load outcomes_tags %}{% prom_scores_chart episode %}").render(Context({"episode": episode}))
    assert "<svg" in html and "PSEQ total" in html and "Not recorded" in html


def test_prom_schedule_is_in_the_beat_schedule():
    from pathway.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "outcomes.tasks.run_prom_schedule" in tasks


def test_api_schema_still_builds(client, service_lead):
    client.force_login(service_lead)
    assert client.get("/api/schema/").status_code == 200


def test_feedback_about_an_unseen_episode_is_hidden_and_its_edit_page_404(clinician, team):
    own = accepted_episode(team=team)
    other = accepted_episode()
    mine = services.feedback_create(
        kind="complaint", received_on=date(2026, 10, 1), summary="About my team", actor=None, episode=own
    )
    theirs = services.feedback_create(
        kind="complaint", received_on=date(2026, 10, 1), summary="About another team", actor=None, episode=other
    )
    general = services.feedback_create(kind="compliment", received_on=date(2026, 10, 1), summary="Lovely", actor=None)
    client = signed_in(clinician)
    listed = {fb.pk for fb in client.get("/outcomes/feedback/").context["page"].object_list}
    assert listed == {mine.pk, general.pk}
    assert client.get(f"/outcomes/feedback/{theirs.pk}/edit/").status_code == 404
    assert client.get(f"/outcomes/feedback/{mine.pk}/edit/").status_code == 200


@time_machine.travel(date(2026, 11, 10))
def test_paper_followup_for_an_open_episode_is_refused_on_the_form(clinician, team):
    episode = accepted_episode(team=team)
    data = {"instrument": "PSEQ", "timepoint": "followup", "completed_on": "2026-11-09"}
    data |= {f"item_{i}": 3 for i in range(1, 11)}
    r = signed_in(clinician).post(f"/outcomes/episodes/{episode.pk}/proms/new/", data)
    assert r.status_code == 200 and "not discharged" in r.content.decode()
    assert not PromResponse.objects.exists()


def test_paper_eq5d_form_preselects_the_configured_value_set(clinician, team, settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "eq5d_value_set": "ENG2018"}
    episode = accepted_episode(team=team)
    r = signed_in(clinician).get(f"/outcomes/episodes/{episode.pk}/proms/new/?instrument=EQ5D5L")
    assert r.status_code == 200 and r.context["form"]["value_set"].value() == "ENG2018"
