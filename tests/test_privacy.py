"""Privacy: a whole pathway at DEBUG, and nothing that identifies the patient leaks.

Referral -> triage -> care -> discharge -> letter sent over MESH -> PROM link used by the patient.
No NHS number, name, date of birth, postcode, email or phone of the patient may appear in a log
record (message, arguments or exception), in a Celery task's arguments or result, or in
RecordAccess.path. What the configured log handler writes, including a web server's access log of
every request of the pathway (search terms in query strings, the questionnaire token in its path),
holds none of them either. Commissioner-facing outputs carry no NHS numbers or names.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date

import pytest
import time_machine
from celery.app.task import Task
from django.test import Client

from outcomes.models import PromInvitation
from outcomes.senders import LocmemSender
from pathway.log_redaction import RedactingFilter
from pathway.models import Episode, RecordAccess, Role
from pathway.tests import factories as f
from pathway.tests.conftest import mesh_sandbox, mesh_sandbox_server  # noqa: F401 (fixtures)
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zebedee", "Quixotically"
DOB = date(1961, 7, 23)
POSTCODE = "ZZ9 9ZZ"
EMAIL = "zebedee.quixotically@example.org"
PHONE = "07700 900123"


def secrets_of(nhs: str) -> list[str]:
    return [
        nhs,
        f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
        GIVEN,
        FAMILY,
        DOB.isoformat(),
        DOB.strftime("%d/%m/%Y"),
        DOB.strftime("%d %B %Y"),
        DOB.strftime("%d %b %Y"),
        POSTCODE,
        POSTCODE.replace(" ", ""),
        EMAIL,
        PHONE,
        PHONE.replace(" ", ""),
    ]


def leaks(text: str, secrets: list[str]) -> list[str]:
    low = str(text).lower()
    return [s for s in secrets if s.lower() in low]


class ServerAccessLog:
    """Logs each request as Django's development server does (logger ``django.server``, the request
    line with its query string), so the test sees what a web server's access log would hold."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        line = f"{request.method} {request.get_full_path()} HTTP/1.1"
        logging.getLogger("django.server").info('"%s" %s %s', line, response.status_code, len(response.content or b""))
        referer = f"http://testserver{request.get_full_path()}"
        logging.getLogger("gunicorn.access").info('"%s" %s "%s"', line, response.status_code, referer)
        return response


@pytest.fixture
def log_output(settings):
    """What the configured console handler (the one every log line goes through) writes, with the
    server's access log of every request added."""
    settings.MIDDLEWARE = ["tests.test_privacy.ServerAccessLog", *settings.MIDDLEWARE]
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(flt, RedactingFilter) for flt in h.filters)
    )
    gunicorn = logging.getLogger("gunicorn.access")
    gunicorn.addHandler(handler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)
    gunicorn.removeHandler(handler)


@pytest.fixture
def task_calls(monkeypatch):
    """Every Celery task call: its name, args, kwargs and (eager) result."""
    calls = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, **options):
        result = original(self, args=args, kwargs=kwargs, **options)
        calls.append({"task": self.name, "args": args, "kwargs": kwargs, "result": getattr(result, "result", None)})
        return result

    monkeypatch.setattr(Task, "apply_async", recording)
    return calls


def _referral_body(nhs, practice):
    return {
        "nhs_number": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
        "given_name": GIVEN,
        "family_name": FAMILY,
        "date_of_birth": DOB.isoformat(),
        "sex": "male",
        "postcode": POSTCODE,
        "phone": PHONE,
        "address": "1 Privacy Lane",
        "practice_ods": practice.ods_code,
        "received_on": "2026-12-24",
        "pain_site": "lower back",
        "duration_months": 14,
        "urgency": "routine",
        "red_flags": [],
        "reason": "Persistent low back pain",
    }


def test_a_whole_pathway_logs_no_identifiers(
    log_output,
    caplog,
    task_calls,
    mesh_sandbox,  # noqa: F811 (the fixture imported above)
    settings,
    api_as,
    spa_user,
    service_lead,
    practice,
    django_capture_on_commit_callbacks,
):
    settings.PROM_SENDER = "outcomes.senders.LocmemSender"
    LocmemSender.outbox.clear()
    caplog.set_level(logging.DEBUG)
    nhs = f.next_nhs_number()
    secrets = secrets_of(nhs)
    spa, lead = api_as(spa_user), api_as(service_lead)
    errors: list[str] = []

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel("2026-12-24T10:00:00+00:00", tick=False):
            r = spa.post("/api/v1/referrals/", _referral_body(nhs, practice), format="json")
            assert r.status_code == 201, r.json()
            episode_id = r.json()["episode_id"]
            patient = Episode.objects.get(pk=episode_id).patient
            patient.email = EMAIL
            patient.save(update_fields=["email"])
            # A second referral for a patient with an open episode is refused: the refusal names no one.
            r = spa.post("/api/v1/referrals/", _referral_body(nhs, practice), format="json")
            assert r.status_code in (400, 409)
            errors.append(r.content.decode())
            # Re-engagement of a patient who is not discharged is refused the same way.
            r = spa.post("/api/v1/referrals/reengage/", {"nhs_number": nhs}, format="json")
            assert r.status_code >= 400
            errors.append(r.content.decode())

        with time_machine.travel("2026-12-29T10:00:00+00:00", tick=False):
            r = spa.post(
                f"/api/v1/episodes/{episode_id}/triage/",
                {"outcome": "accept", "tier": 2, "team": f.TeamFactory().code},
                format="json",
            )
            assert r.status_code == 200, r.json()

        with time_machine.travel("2027-01-11T10:00:00+00:00", tick=False):
            r = lead.post(
                f"/api/v1/episodes/{episode_id}/appointments/",
                {"kind": "new", "date": "2027-01-11", "mode": "face_to_face"},
                format="json",
            )
            assert r.status_code == 201, r.json()
            r = lead.post(f"/api/v1/appointments/{r.json()['id']}/outcome/", {"outcome": "attended"}, format="json")
            assert r.status_code == 200, r.json()
            r = lead.post(
                f"/api/v1/episodes/{episode_id}/treatment-started/",
                {"date": "2027-01-11", "kind": "therapy"},
                format="json",
            )
            assert r.status_code in (200, 201), r.json()
            r = lead.post(
                f"/api/v1/episodes/{episode_id}/medications/",
                {"drug": "oxycodone", "route": "oral", "dose_mg": 20, "doses_per_day": 2},
                format="json",
            )
            assert r.status_code == 201, r.json()

        with time_machine.travel("2027-03-25T10:00:00+00:00", tick=False):
            r = lead.post(
                f"/api/v1/episodes/{episode_id}/discharge/",
                # The medication review is still open: the clinician confirms the discharge.
                {
                    "date": "2027-03-25",
                    "reason": "completed",
                    "summary": "Goals met",
                    "gp_actions": "None",
                    "confirm_open_tasks": True,
                },
                format="json",
            )
            assert r.status_code in (200, 201), r.json()
            letter_id = r.json()["letter_id"]
            r = lead.post(f"/api/v1/letters/{letter_id}/approve/")
            assert r.status_code == 200, r.json()
            # Every read of the record on the way, on pages and the API.
            web = Client()
            web.force_login(service_lead)
            for url in (
                f"/patients/{patient.pk}/",
                f"/care/episodes/{episode_id}/",
                f"/letters/{letter_id}/",
                f"/api/v1/fhir/Patient/{patient.pk}/$everything",
            ):
                client = lead if url.startswith("/api/") else web
                assert client.get(url).status_code == 200, url
            # Searching by NHS number: the query string holds it, the request log must not.
            assert web.get("/patients/", {"q": nhs}).status_code == 200

        with time_machine.travel("2027-03-26T10:00:00+00:00", tick=False):
            from outcomes import services as outcome_services

            outcome_services.prom_invitation_create(
                episode=Episode.objects.get(pk=episode_id), timepoint="discharge", today=date(2027, 3, 26)
            )

    from pathway.models import Letter

    assert Letter.objects.get(pk=letter_id).state == "sent"
    # The patient opens the link they were sent.
    assert LocmemSender.outbox, "no PROM link was sent"
    message = LocmemSender.outbox[-1]
    token = re.search(r"/outcomes/q/([^/\s]+)/", message.body).group(1)
    assert Client().get(f"/outcomes/q/{token}/").status_code == 200
    assert Client().get("/outcomes/q/not-a-token/").status_code in (404, 410)
    # A search by family name, as a GP practice would type it.
    gp_web = Client()
    gp_web.force_login(f.UserFactory(role=Role.GP_PRACTICE, practice=practice))
    assert gp_web.get("/patients/", {"q": FAMILY}).status_code == 200
    assert PromInvitation.objects.filter(episode_id=episode_id, sent_at__isnull=False).exists()

    found = []
    for record in caplog.records:
        text = " ".join(
            [record.getMessage(), repr(record.args), str(record.exc_info and record.exc_info[1]), record.exc_text or ""]
        )
        if hit := leaks(text, secrets):
            found.append((record.name, record.levelname, record.getMessage()[:200], hit))
    assert not found, f"identifiers in log records: {found}"
    assert len(caplog.records) > 5, "expected the pathway to log something"

    written = log_output.getvalue()
    assert "django.server" in written and "/outcomes/q/[token]/" in written and "?[redacted]" in written
    assert not leaks(written, [*secrets, token, "not-a-token", "q=" + FAMILY]), leaks(written, [*secrets, token])

    assert task_calls, "expected Celery tasks (letter sending, PROM link)"
    for call in task_calls:
        assert not leaks(repr(call), secrets), f"identifiers in a Celery task call: {call}"
        for value in [*(call["args"] or ()), *(call["kwargs"] or {}).values()]:
            assert isinstance(value, (int, str, type(None))) and not leaks(str(value), secrets), call

    paths = list(RecordAccess.objects.values_list("path", flat=True))
    assert paths
    for path in paths:
        assert not leaks(path, secrets), path

    for body in errors:
        assert not leaks(body.replace(r"\u00a0", " "), secrets), body


# --- Commissioner-facing outputs ---------------------------------------------------------------


@pytest.fixture
def reported_patient(practice):
    """A patient open for over nine months and one discharged in the month reported, with identifiers set."""
    nhs = f.next_nhs_number()
    long_open = rf.episode(
        practice=practice,
        received_on=date(2025, 11, 3),
        nhs_number=nhs,
        given_name=GIVEN,
        family_name=FAMILY,
        date_of_birth=DOB,
        postcode=POSTCODE,
        phone=PHONE,
        email=EMAIL,
    )
    rf.accept(long_open, on=date(2025, 11, 10))
    other_nhs = f.next_nhs_number()
    done = rf.episode(
        practice=practice,
        received_on=date(2026, 6, 1),
        nhs_number=other_nhs,
        given_name=GIVEN,
        family_name=FAMILY + "Two",
        date_of_birth=DOB,
        postcode=POSTCODE,
    )
    rf.accept(done, on=date(2026, 6, 10))
    rf.discharge(done, on=date(2026, 9, 15))
    return secrets_of(nhs) + secrets_of(other_nhs)


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@time_machine.travel("2026-10-05T10:00:00+00:00", tick=False)
def test_commissioner_outputs_carry_no_nhs_numbers_or_names(client, practice, reported_patient, service_lead):
    from reporting import services as reporting_services

    secrets = [s for s in reported_patient if not re.fullmatch(r"\d{2} \w+ \d{4}", s)]  # dates may be report dates
    commissioner = f.UserFactory(role=Role.COMMISSIONER, commissioner=practice.commissioner)
    data_set = reporting_services.mds_generate(commissioner=practice.commissioner, month=date(2026, 9, 1))
    client.force_login(commissioner)
    outputs = {
        "over-9-months": client.get("/reports/over-9-months/"),
        "kpis": client.get("/reports/kpis/", {"month": "2026-09"}),
        "activity": client.get("/reports/activity/", {"month": "2026-09"}),
        "mds list": client.get("/reports/mds/"),
        "mds csv": client.get(f"/reports/mds/{data_set.pk}/download/"),
    }
    lead = Client()
    lead.force_login(service_lead)
    from reporting.kpis import KPI_BY_CODE

    for code in KPI_BY_CODE:
        for part in ("numerator", "denominator"):
            outputs[f"drill-down {code} {part}"] = lead.get(
                f"/reports/kpis/{code}/episodes/", {"month": "2026-09", "part": part}
            )
    bodies = {}
    for name, response in outputs.items():
        assert response.status_code == 200, (name, response.status_code)
        bodies[name] = _body(response)
        assert not leaks(bodies[name], secrets), (name, leaks(bodies[name], secrets))
    assert "EP" in bodies["over-9-months"], "the long-open episode should be listed by its reference"
    assert len(bodies["mds csv"].splitlines()) >= 3, "both patients should be in the data set"
