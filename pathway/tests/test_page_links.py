"""Links on the pages open for the user they are shown to (faults found by crawling as each role)."""

import re

import pytest

from pathway.tests import letter_factories as lf
from referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db


def _links(body: str) -> list[str]:
    main = body[body.index("<main") : body.index("</main>")]
    return re.findall(r'<a [^>]*href="(/[^"#]*)', main)


def test_gp_patient_record_links_to_the_referral_not_the_clinical_record(client, gp_user, practice):
    referral = make_referral(practice=practice)
    client.force_login(gp_user)
    r = client.get(f"/patients/{referral.patient_id}/")
    assert r.status_code == 200
    links = _links(r.content.decode())
    assert f"/referrals/{referral.pk}/" in links
    assert not any(link.startswith("/care/") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_staff_patient_record_links_to_the_episode(client, service_lead, practice):
    referral = make_referral(practice=practice)
    client.force_login(service_lead)
    links = _links(client.get(f"/patients/{referral.patient_id}/").content.decode())
    assert f"/care/episodes/{referral.episode_id}/" in links
    assert client.get(f"/care/episodes/{referral.episode_id}/").status_code == 200


def test_letter_outbox_offers_late_letters_only_to_the_service_lead(client, team, service_lead):
    clinician = lf.consultant()
    team.members.add(clinician)
    client.force_login(clinician)
    body = client.get("/letters/").content.decode()
    assert "/letters/late/" not in _links(body)
    client.force_login(service_lead)
    body = client.get("/letters/").content.decode()
    assert "/letters/late/" in _links(body)
    assert client.get("/letters/late/").status_code == 200
