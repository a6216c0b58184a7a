from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from pathway.models import Episode, Patient, Role
from pathway.tests import factories as f
from referrals.models import Referral, ReferralAttachment
from referrals.tests.factories import PDF_BYTES, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        yield


def form_data(practice, n=1, **overrides):
    data = {
        "practice_ods": practice.ods_code,
        "referrer_name": "Dr Rao",
        "received_on": "2026-11-02",
        "ubrn": "",
        "ubrn_converted_on": "",
        "nhs_number": f.valid_nhs_number(n),
        "given_name": "Ann",
        "family_name": "Smith",
        "date_of_birth": "1970-02-01",
        "sex": "female",
        "address": "2 Station Road",
        "postcode": "DL1 1AA",
        "phone": "07700 900001",
        "ethnicity": "White British",
        "interpreter_needed": "on",
        "interpreter_language": "Polish",
        "veteran": "on",
        "pain_site": "lower back",
        "pain_nature": "Aching",
        "duration_months": "14",
        "impact": "Off work",
        "previous_treatments": "Physiotherapy",
        "medical_history": "Hypertension",
        "medications": "Amlodipine",
        "needs_vulnerabilities": "Carer for mother",
        "risks": "None known",
        "red_flags": ["fracture"],
        "urgency": "urgent",
        "reason": "Persistent pain",
    }
    data.update(overrides)
    return data


def test_form_shows_every_data_item_in_fieldsets(client, spa_user):
    client.force_login(spa_user)
    page = client.get("/referrals/new/").content.decode()
    for legend in ("Referrer", "Patient", "Condition", "History and treatment", "Needs, vulnerabilities and risks"):
        assert legend in page
    for name in (
        "nhs_number",
        "veteran",
        "interpreter_needed",
        "ubrn",
        "pain_site",
        "risks",
        "red_flags",
        "attachments",
    ):
        assert f'name="{name}"' in page


def test_form_referral_creates_patient_episode_and_referral(client, spa_user, practice):
    client.force_login(spa_user)
    pdf = SimpleUploadedFile("gp-letter.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post("/referrals/new/", {**form_data(practice), "attachments": [pdf]})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == f"/referrals/{referral.pk}/"
    patient = referral.patient
    assert (patient.interpreter_language, patient.veteran, patient.interpreter_needed) == ("Polish", True, True)
    assert referral.episode.state == "triage" and referral.source == "web"
    assert (referral.urgency, referral.red_flags, referral.triage_due_on) == ("urgent", ["fracture"], date(2026, 11, 4))
    assert ReferralAttachment.objects.get().original_name == "gp-letter.pdf"
    detail = client.get(response.url).content.decode()
    assert "Suspected fracture" in detail and "gp-letter.pdf" in detail and "4 Nov 2026" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "check digit is wrong"),
        ({"date_of_birth": "2010-01-01"}, "must be 18 or over"),
        ({"practice_ods": "Z99999"}, "Select a valid choice"),
        ({"received_on": "2026-11-06"}, "cannot be in the future"),
        ({"pain_site": ""}, "This field is required"),
        ({"ubrn": "12"}, "12 digits"),
    ],
)
def test_form_bad_input_shows_error_summary_and_writes_nothing(client, spa_user, practice, overrides, message):
    client.force_login(spa_user)
    response = client.post("/referrals/new/", form_data(practice, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert (Patient.objects.count(), Episode.objects.count(), Referral.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="application/msword"), "PDF, JPEG or PNG"),
        (SimpleUploadedFile("fake.pdf", b"<html>", content_type="application/pdf"), "not really a PDF"),
    ],
)
def test_form_wrong_attachment_is_refused(client, spa_user, practice, upload, message):
    client.force_login(spa_user)
    response = client.post("/referrals/new/", {**form_data(practice), "attachments": [upload]})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Referral.objects.exists() and not Patient.objects.exists()


def test_form_oversized_attachment_is_refused(client, spa_user, practice, settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "attachment_max_bytes": 100}
    client.force_login(spa_user)
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"x" * 200, content_type="application/pdf")
    response = client.post("/referrals/new/", {**form_data(practice), "attachments": [big]})
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not Referral.objects.exists()


def test_form_duplicate_open_episode_is_refused_with_a_message(client, spa_user, practice):
    client.force_login(spa_user)
    client.post("/referrals/new/", form_data(practice))
    response = client.post("/referrals/new/", form_data(practice, family_name="Jones"))
    assert response.status_code == 400
    assert "already has an open episode" in response.content.decode()
    assert Referral.objects.count() == 1 and Patient.objects.get().family_name == "Smith"


def test_gp_form_has_own_practice_fixed(client, gp_user, practice):
    other = f.PracticeFactory()
    client.force_login(gp_user)
    page = client.get("/referrals/new/").content.decode()
    assert practice.name in page and other.name not in page
    response = client.post("/referrals/new/", form_data(other))
    assert response.status_code == 302
    assert Referral.objects.get().practice == practice


def test_referral_pages_hidden_from_commissioners(client, commissioner_user):
    client.force_login(commissioner_user)
    assert client.get("/referrals/new/").status_code == 404
    assert client.get("/referrals/").status_code == 404


def test_gp_list_and_detail_show_only_own_practice(client, gp_user, practice, django_assert_max_num_queries):
    mine = [make_referral(practice=practice, received_on=date(2026, 11, 2)) for _ in range(3)]
    theirs = make_referral(received_on=date(2026, 11, 2))
    client.force_login(gp_user)
    with django_assert_max_num_queries(14):  # the practice's home: two more for its letters inbox
        page = client.get("/referrals/").content.decode()
    for referral in mine:
        assert f"/referrals/{referral.pk}/" in page
    assert f"/referrals/{theirs.pk}/" not in page
    assert client.get(f"/referrals/{mine[0].pk}/").status_code == 200
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404


def test_empty_referral_list_says_so(client, gp_user):
    client.force_login(gp_user)
    assert "no referrals to show" in client.get("/referrals/").content.decode()


def test_attachment_downloads_for_those_who_may_see_the_referral_and_is_logged(client, spa_user, practice):
    from pathway.models import RecordAccess

    client.force_login(spa_user)
    pdf = SimpleUploadedFile("gp-letter.pdf", PDF_BYTES, content_type="application/pdf")
    client.post("/referrals/new/", {**form_data(practice), "attachments": [pdf]})
    referral = Referral.objects.get()
    attachment = ReferralAttachment.objects.get()
    url = f"/referrals/{referral.pk}/attachments/{attachment.pk}/"
    assert url in client.get(f"/referrals/{referral.pk}/").content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="gp-letter.pdf"'
    assert "no-store" in response["Cache-Control"]
    logged = RecordAccess.objects.filter(action="attachment").get()
    assert (logged.user, logged.episode_id, logged.path) == (spa_user, referral.episode_id, url)

    # Another practice's GP sees neither the referral nor its attachment; an unknown attachment is 404 too.
    other_gp = f.UserFactory(role=Role.GP_PRACTICE, practice=f.PracticeFactory())
    client.force_login(other_gp)
    assert client.get(url).status_code == 404
    client.force_login(spa_user)
    assert client.get(f"/referrals/{referral.pk}/attachments/{attachment.pk + 1}/").status_code == 404
