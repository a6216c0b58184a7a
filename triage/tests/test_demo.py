import pytest
from django.core.management import call_command

from pathway.models import Episode, Patient
from referrals.models import Referral


@pytest.mark.django_db
def test_demo_refers_every_patient_and_has_every_triage_outcome():
    call_command("seed_demo", patients=80)
    assert Referral.objects.count() == Episode.objects.count()
    assert set(Referral.objects.values_list("patient_id", flat=True)) == set(
        Patient.objects.values_list("pk", flat=True)
    )
    states = set(Episode.objects.values_list("state", flat=True))
    assert {"triage", "info_requested", "accepted", "rejected", "redirected", "discharged"} <= states
    for episode in Episode.objects.filter(state="accepted"):
        assert episode.tier in (1, 2, 3) and episode.admitted_on and episode.episode_limit_on and episode.team_id
    assert Episode.objects.filter(previous_episode__isnull=False, referral__source="reengagement").exists()
    assert Referral.objects.filter(episode__state="triage", claimed_by__isnull=False).exists()


@pytest.mark.django_db
def test_demo_pages_render_for_spa_lead_and_gp(client):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", patients=40)
    users = {u.username: u for u in get_user_model().objects.all()}
    client.force_login(users["spa"])
    assert client.get("/triage/").status_code == 200
    for episode in Episode.objects.filter(state__in=["triage", "info_requested"])[:3]:
        assert client.get(f"/triage/episodes/{episode.pk}/").status_code == 200
    client.force_login(users["lead"])
    assert client.get("/triage/breaches/").status_code == 200
    client.force_login(users["gp"])
    listing = client.get("/referrals/")
    assert listing.status_code == 200
    gp_practice = users["gp"].profile.practice
    assert all(r.practice_id == gp_practice.pk for r in listing.context["page"].object_list)
