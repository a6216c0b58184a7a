import pytest

from pathway.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_find_patient_and_read_timeline(page, sign_in, service_lead):
    episode = f.open_episode()
    patient = episode.patient
    page.goto("/sign-in/")
    page.fill("#id_username", service_lead.username)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "Your username or password is not right" in page.inner_text("main")

    sign_in(service_lead)
    assert page.inner_text("h1").startswith("Hello")
    page.goto("/patients/")
    page.fill("#q", patient.family_name)
    page.click("main button[type=submit]")
    page.click(f"text={patient.family_name.upper()}, {patient.given_name}")
    assert patient.nhs_number_display in page.inner_text("main")
    timeline = page.inner_text(".painway-timeline")
    assert "Referral received" in timeline and "RTT clock started" in timeline


def test_nhs_frontend_styles_are_served(page, sign_in, service_lead):
    sign_in(service_lead)
    colour = page.eval_on_selector("header.nhsuk-header", "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(0, 94, 184)"  # NHS blue, from the nhsuk-frontend package's CSS
