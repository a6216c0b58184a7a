from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from pathway.models import Deadline, Episode, PathwayEvent, Patient, RttPeriod
from pathway.tests import factories as f
from referrals.models import Referral, ReferralAttachment
from referrals.tests.factories import PDF_BYTES, PNG_BYTES, referral_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = "/api/v1/referrals/"


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        yield


def nothing_written():
    return (
        Patient.objects.count(),
        Episode.objects.count(),
        Referral.objects.count(),
        RttPeriod.objects.count(),
        Deadline.objects.count(),
        PathwayEvent.objects.count(),
        ReferralAttachment.objects.count(),
    )


def test_referral_opens_episode_in_triage_with_clock_and_deadline(api_as, spa_user, practice):
    response = api_as(spa_user).post(URL, referral_payload(practice, received_on="2026-12-24"), format="json")
    assert response.status_code == 400  # the future is refused ...
    response = api_as(spa_user).post(URL, referral_payload(practice), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    for key in ("id", "episode_id", "patient_id", "received_on", "state", "triage_due_on"):
        assert key in body
    assert body["state"] == "triage"
    assert body["received_on"] == "2026-11-02"
    assert body["triage_due_on"] == "2026-11-04"
    assert body["rtt_clock_start"] == "2026-11-02"
    assert body["rtt_breach_on"] == "2027-03-09"
    episode = Episode.objects.get(pk=body["episode_id"])
    assert episode.patient_id == body["patient_id"] and episode.state == "triage"
    assert episode.rtt_periods.get().clock_start == date(2026, 11, 2)
    triage = episode.deadlines.get(kind="triage")
    assert (triage.started_on, triage.due_on) == (date(2026, 11, 2), date(2026, 11, 4))


def test_nhs_number_with_spaces_is_normalised(api_as, spa_user, practice):
    nhs = f.valid_nhs_number(7)
    spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    response = api_as(spa_user).post(URL, referral_payload(practice, nhs_number=spaced), format="json")
    assert response.status_code == 201
    assert Patient.objects.get(pk=response.json()["patient_id"]).nhs_number == nhs


def test_received_on_defaults_to_today_in_london(api_as, spa_user, practice):
    payload = referral_payload(practice)
    del payload["received_on"]
    response = api_as(spa_user).post(URL, payload, format="json")
    assert response.status_code == 201
    assert response.json()["received_on"] == "2026-11-05"


def test_ubrn_conversion_date_starts_the_clock(api_as, spa_user, practice):
    payload = referral_payload(practice, ubrn="123456789012", ubrn_converted_on="2026-10-30")
    body = api_as(spa_user).post(URL, payload, format="json").json()
    assert body["rtt_clock_start"] == "2026-10-30"
    assert body["rtt_breach_on"] == "2027-03-06"
    assert body["triage_due_on"] == "2026-11-04"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nhs_number": "9434765918"}, "nhs_number"),
        ({"nhs_number": "943 476 5918"}, "nhs_number"),
        ({"nhs_number": "94347659"}, "nhs_number"),
        ({"date_of_birth": "2008-11-03"}, "date_of_birth"),
        ({"practice_ods": "Z99999"}, "practice_ods"),
        ({"received_on": "2026-11-06"}, "received_on"),
        ({"nhs_number": ""}, "nhs_number"),
        ({"pain_site": ""}, "pain_site"),
        ({"red_flags": ["broken_leg"]}, "red_flags"),
        ({"urgency": "soon"}, "urgency"),
        ({"ubrn": "12345"}, "ubrn"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(api_as, spa_user, practice, overrides, field):
    before = nothing_written()
    response = api_as(spa_user).post(URL, referral_payload(practice, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert nothing_written() == before


def test_seventeenth_birthday_on_received_date_is_refused_but_eighteenth_is_accepted(api_as, spa_user, practice):
    too_young = referral_payload(practice, n=1, date_of_birth="2008-11-03", received_on="2026-11-02")
    response = api_as(spa_user).post(URL, too_young, format="json")
    assert response.status_code == 400
    assert "18" in response.json()["date_of_birth"][0]
    just_18 = referral_payload(practice, n=2, date_of_birth="2008-11-02", received_on="2026-11-02")
    assert api_as(spa_user).post(URL, just_18, format="json").status_code == 201


def test_missing_fields_are_all_named(api_as, spa_user):
    response = api_as(spa_user).post(URL, {}, format="json")
    assert response.status_code == 400
    body = response.json()
    for field in ("nhs_number", "given_name", "family_name", "date_of_birth", "practice_ods", "pain_site"):
        assert field in body


def test_duplicate_open_episode_is_409_and_nothing_half_written(api_as, spa_user, practice):
    client = api_as(spa_user)
    assert client.post(URL, referral_payload(practice), format="json").status_code == 201
    before = nothing_written()
    response = client.post(URL, referral_payload(practice, given_name="Anne", family_name="Jones"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "open_episode"
    assert nothing_written() == before
    assert Patient.objects.get().given_name == "Ann"


def test_re_referral_after_closed_episode_leaves_the_record_and_asks_spa_to_reconcile(api_as, spa_user, practice):
    from pathway import services
    from pathway.models import DemographicsReconciliation

    client = api_as(spa_user)
    first = client.post(URL, referral_payload(practice), format="json").json()
    services.episode_transition(episode=first["episode_id"], to="rejected", reason="test")
    response = client.post(URL, referral_payload(practice, family_name="Jones", postcode="dl2 2bb"), format="json")
    assert response.status_code == 201
    patient = Patient.objects.get()
    assert (patient.family_name, patient.postcode) == ("Smith", "DL1 1AA")
    task = DemographicsReconciliation.objects.get(patient=patient)
    assert task.proposed == {"family_name": "Jones", "postcode": "DL2 2BB"}
    assert task.current == {"family_name": "Smith", "postcode": "DL1 1AA"}
    assert patient.episodes.count() == 2


def test_pdf_attachment_is_stored(api_as, spa_user, practice):
    payload = referral_payload(practice)
    payload["red_flags"] = []
    payload.pop("ubrn")
    payload["attachments"] = [SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf")]
    response = api_as(spa_user).post(URL, payload, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = ReferralAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("letter.pdf", "application/pdf")
    assert attachment.file.read() == PDF_BYTES


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/x-msdownload"), "PDF, JPEG or PNG"),
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"), "not really"),
        (SimpleUploadedFile("scan.pdf", PNG_BYTES, content_type="application/pdf"), "not really"),
    ],
)
def test_wrong_type_attachment_is_refused_and_nothing_written(api_as, spa_user, practice, upload, message):
    payload = referral_payload(practice)
    payload.pop("ubrn")
    payload["attachments"] = [upload]
    before = nothing_written()
    response = api_as(spa_user).post(URL, payload, format="multipart")
    assert response.status_code == 400
    assert message in response.json()["attachments"][0]
    assert nothing_written() == before


def test_oversized_attachment_is_refused(api_as, spa_user, practice, settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "attachment_max_bytes": 1024}
    payload = referral_payload(practice)
    payload.pop("ubrn")
    payload["attachments"] = [SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2000, content_type="application/pdf")]
    before = nothing_written()
    response = api_as(spa_user).post(URL, payload, format="multipart")
    assert response.status_code == 400
    assert "larger than" in response.json()["attachments"][0]
    assert nothing_written() == before


def test_gp_user_can_refer_only_from_own_practice(api_as, gp_user, practice):
    other = f.PracticeFactory()
    response = api_as(gp_user).post(URL, referral_payload(other), format="json")
    assert response.status_code == 400
    assert "practice_ods" in response.json()
    assert api_as(gp_user).post(URL, referral_payload(practice), format="json").status_code == 201


def test_clinician_and_commissioner_cannot_refer(api_as, clinician, commissioner_user, practice):
    assert api_as(clinician).post(URL, referral_payload(practice), format="json").status_code == 403
    assert api_as(commissioner_user).post(URL, referral_payload(practice), format="json").status_code == 403


def test_unauthenticated_is_401(api_client, practice):
    assert api_client.post(URL, referral_payload(practice), format="json").status_code == 401
    assert api_client.get(URL).status_code == 401


def test_gp_practice_user_sees_only_its_own_practices_referrals(api_as, gp_user, spa_user, practice):
    other = f.PracticeFactory()
    mine = api_as(spa_user).post(URL, referral_payload(practice, n=1), format="json").json()
    theirs = api_as(spa_user).post(URL, referral_payload(other, n=2), format="json").json()
    listing = api_as(gp_user).get(URL).json()
    assert listing["count"] == 1
    assert [r["id"] for r in listing["results"]] == [mine["id"]]
    assert api_as(gp_user).get(f"{URL}{mine['id']}/").status_code == 200
    assert api_as(gp_user).get(f"{URL}{theirs['id']}/").status_code == 404
    assert api_as(gp_user).get(f"/api/v1/episodes/{theirs['episode_id']}/").status_code == 404
    assert api_as(spa_user).get(URL).json()["count"] == 2


def test_referral_list_is_paginated_with_constant_queries(api_as, spa_user, practice, django_assert_max_num_queries):
    client = api_as(spa_user)
    for n in range(1, 6):
        client.post(URL, referral_payload(practice, n=n), format="json")
    with django_assert_max_num_queries(8):
        body = client.get(URL).json()
    assert body["count"] == 5 and set(body) == {"count", "next", "previous", "results"}


def test_referral_detail_logs_the_view(api_as, spa_user, practice):
    from pathway.models import RecordAccess

    created = api_as(spa_user).post(URL, referral_payload(practice), format="json").json()
    response = api_as(spa_user).get(f"{URL}{created['id']}/")
    assert response.status_code == 200
    assert RecordAccess.objects.filter(user=spa_user, episode_id=created["episode_id"], via="api").exists()


@time_machine.travel("2026-11-20T10:00:00+00:00", tick=False)
def test_every_bad_field_is_named_at_once_in_plain_words(api_as, spa_user):
    payload = {
        "nhs_number": "9434765918",  # wrong check digit
        "given_name": "",
        "date_of_birth": "2015-02-01",  # under 18
        "practice_ods": "ZZZ99",  # unknown practice
        "received_on": "2027-01-01",  # in the future
        "urgency": "soon",
        "red_flags": ["fracture", "bogus"],
    }
    count = Referral.objects.count()
    response = api_as(spa_user).post(URL, payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    for field in [
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "practice_ods",
        "received_on",
        "urgency",
        "red_flags",
        "pain_site",
        "duration_months",
    ]:
        assert field in errors, field
        assert all(isinstance(message, str) and message for message in errors[field]), errors[field]
    assert errors["red_flags"] == ["Item 2: 'bogus' is not a known red flag."]
    assert Referral.objects.count() == count


def test_referral_before_and_after_triage_matches_its_documented_schema(api_as, spa_user, practice):
    """An untriaged or rejected referral has no tier: null, as documented, in the detail and the list."""
    from pathway.tests.openapi import assert_documented

    client = api_as(spa_user)
    created = client.post(URL, referral_payload(practice), format="json")
    assert_documented(created, "/api/v1/referrals/", "post")
    assert created.json()["tier"] is None
    detail = client.get(f"{URL}{created.json()['id']}/")
    assert_documented(detail, "/api/v1/referrals/{id}/")
    assert_documented(client.get(URL), "/api/v1/referrals/")
    r = client.post(
        f"/api/v1/episodes/{created.json()['episode_id']}/triage/",
        {"outcome": "reject", "reason": "Not for this service"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    rejected = client.get(f"{URL}{created.json()['id']}/")
    assert rejected.json()["tier"] is None
    assert_documented(rejected, "/api/v1/referrals/{id}/")
