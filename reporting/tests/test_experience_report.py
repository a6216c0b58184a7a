"""The annual patient-experience report for commissioners: a page and a PDF with the responses, the themes
of the comments and the comments without identifiers; a commissioner sees only their own patients."""

import io
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader

from outcomes.models import ExperienceSurvey
from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db
NOW = "2027-01-15 10:00 +0000"


@pytest.fixture
def commented(data):
    """d1's comment names the patient and gives a phone number; d2's is negative about waiting; d6's
    (commissioner B) must never show to commissioner A."""
    d1, d2 = data["d"][0], data["d"][1]
    name = d1.patient.family_name
    ExperienceSurvey.objects.filter(episode=d1).update(
        comments=f"Mrs {name} says the staff were kind and helpful; call 01325 380 100 or pat@example.invalid"
    )
    ExperienceSurvey.objects.filter(episode=d2).update(comments="The waiting was too long for an appointment.")
    ExperienceSurvey.objects.filter(episode__practice=data["b"]).update(comments="Commissioner B comment")
    return data


def _user(role, commissioner=None):
    return f.UserFactory(role=role, commissioner=commissioner)


def _identifiers(data):
    from pathway.models import Patient

    for patient in Patient.objects.all():
        yield patient.nhs_number
        yield patient.family_name


@time_machine.travel(NOW, tick=False)
def test_the_commissioner_sees_their_year_responses_themes_and_redacted_comments(client, commented):
    client.force_login(_user(Role.COMMISSIONER, commented["a"].commissioner))
    r = client.get("/reports/experience/", {"year": "2026"})
    assert r.status_code == 200
    report = r.context["report"]
    # Commissioner A in 2026: d1, d3, e1, d7 positive and d2 negative in October, d4 positive in September.
    assert (report["responses"], report["positive"], report["value"]) == (6, 5, 0.8333)
    october = next(m for m in report["months"] if m["month"] == date(2026, 10, 1))
    assert (october["responses"], october["positive"]) == (5, 4)
    themes = {t["theme"]: t for t in report["themes"]}
    assert (themes["Staff and care"]["comments"], themes["Staff and care"]["positive"]) == (1, 1)
    assert (themes["Waiting and access"]["comments"], themes["Waiting and access"]["negative"]) == (1, 1)
    html = r.content.decode()
    assert "Mrs [name] says the staff were kind and helpful; call [number] or [e-mail]" in html
    assert "Commissioner B comment" not in html
    for secret in _identifiers(commented):
        assert secret not in html


@time_machine.travel(NOW, tick=False)
def test_the_pdf_states_the_same_report_without_identifiers(client, commented):
    client.force_login(_user(Role.COMMISSIONER, commented["a"].commissioner))
    r = client.get("/reports/experience/pdf/", {"year": "2026"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
    assert "patient experience in 2026" in text
    assert "6 responses to the experience survey in 2026" in text and "5 positive (83%)" in text
    assert "Mrs [name] says the staff were kind and helpful" in text
    assert "Commissioner B comment" not in text
    for secret in _identifiers(commented):
        assert secret not in text


@time_machine.travel(NOW, tick=False)
def test_a_commissioner_cannot_ask_for_another_commissioners_report(client, commented):
    client.force_login(_user(Role.COMMISSIONER, commented["b"].commissioner))
    code = commented["a"].commissioner.code
    assert client.get("/reports/experience/", {"year": "2026", "commissioner": code}).status_code == 404
    assert client.get("/reports/experience/pdf/", {"year": "2026", "commissioner": code}).status_code == 404
    own = client.get("/reports/experience/", {"year": "2026"}).context["report"]
    assert (own["responses"], [c["text"] for c in own["comments"]]) == (1, ["Commissioner B comment"])


@time_machine.travel(NOW, tick=False)
def test_clinicians_get_no_report_and_a_bad_year_is_400(client, commented, clinician):
    client.force_login(clinician)
    assert client.get("/reports/experience/").status_code == 404
    client.force_login(_user(Role.SERVICE_LEAD))
    assert client.get("/reports/experience/", {"year": "26"}).status_code == 400
    whole = client.get("/reports/experience/", {"year": "2026"}).context["report"]
    assert whole["responses"] == 7 and whole["commissioner"] is None
