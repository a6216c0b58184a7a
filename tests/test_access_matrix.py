"""Access matrix: every URL and API route, against every role, with two practices (two commissioners)
and two teams (DESIGN.md section 10, issue 12).

The test walks the URL resolver. Every pattern with a parameter must have an entry in ROUTES, so a
new URL fails here until someone decides who may see what it shows:

- a signed-in user who may not see the object gets 404 (never 403, 200 or 500), for each method, the
  refusal is in the access audit, and the body holds none of the patient's identifiers;
- every route without a parameter (lists, searches, forms, reports), read and written by every role,
  shows none of the identifiers of a patient of the other practice and the other team;
- a request without a session or token is sent to sign in (pages) or gets 401 (API);
- a permitted read of a patient record writes a RecordAccess row, holding ids only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.services import api_token_issue
from careplans.models import GroupSession, MedicationLine
from outcomes.models import PromInvitation
from pathway.models import DemographicsReconciliation, EpisodeState, RecordAccess, Role
from pathway.tests import factories as f
from pathway.tests.clients import signed_in_client
from programmes.models import Enrolment, Programme, ProgrammeSession
from referrals.models import ReferralAttachment
from reporting.kpis import KPI_BY_CODE
from reporting.models import MonthlyDataSet
from reporting.tests import factories as rf
from safeguarding.models import Incident, SafeguardingConcern

# Roles that may see nothing of the target below: each is outside it in a different way.
DENIED_ROLES = ("clinician", "spa_triage", "gp_practice", "commissioner", "admin", "no_role")
ALL_BUT_LEAD = frozenset(DENIED_ROLES)


@dataclass(frozen=True)
class Route:
    obj: str  # key of WORLD kwargs builder
    methods: tuple[str, ...] = ("GET",)
    logs: bool = False  # a permitted GET shows a patient record and must write RecordAccess
    lead_status: int | None = 200  # what the service lead gets on GET (None: not checked)
    denied: frozenset = field(default=ALL_BUT_LEAD)
    public: bool = False  # no sign-in at all (the patient's questionnaire link)


G, P, GP_, D = ("GET",), ("POST",), ("GET", "POST"), ("DELETE",)

ROUTES: dict[str, Route] = {
    # Core
    "patient-detail": Route("patient", G, logs=True),
    "patient-access-log": Route("patient", G, logs=True),
    "reconciliation-detail": Route("reconciliation", GP_, logs=True),
    "api-episode": Route("episode", G, logs=True),
    "api-episode-events": Route("episode", G, logs=True),
    "api-episode-transition": Route("episode", P),
    # Letters
    "api-letter": Route("letter", G, logs=True),
    "api-letter-pdf": Route("letter", G, logs=True),
    "api-letter-approve": Route("letter", P),
    "letters-episode": Route("episode_id", G, logs=True),
    "letter-detail": Route("letter", G, logs=True),
    "letter-pdf": Route("letter", G, logs=True),
    "letter-approve": Route("letter", P),
    "letter-mark-sent": Route("letter", P),
    "letter-requeue": Route("letter", P),
    "letter-patient-copy": Route("letter", P),
    # Referrals
    "api-referral": Route("referral", G, logs=True),
    "referral-detail": Route("referral", G, logs=True),
    "referral-attachment": Route("attachment", G, logs=True),
    # Triage
    "api-triage-claim": Route("referral", P),
    "api-triage-release": Route("referral", P),
    "api-triage-reassign": Route("referral", P),
    "api-episode-triage": Route("episode", P),
    "api-episode-red-flag-clear": Route("episode", P),
    "api-episode-info-received": Route("episode", P),
    "triage-claim": Route("referral", P),
    "triage-release": Route("referral", P),
    "triage-reassign": Route("referral", P),
    "triage-episode": Route("episode", GP_, logs=True),
    "triage-clear-red-flag": Route("episode", P),
    "triage-send-red-flag": Route("episode", P),
    "triage-info-received": Route("episode", P),
    # Clinical care
    "api-episode-appointments": Route("episode", GP_, logs=True),
    "api-appointment-outcome": Route("appointment", P),
    "api-appointment-dna-decision": Route("appointment", P),
    "api-episode-assessments": Route("episode", P),
    "api-episode-careplan": Route("episode", GP_, logs=True),
    "api-episode-careplan-share": Route("episode", P),
    "api-episode-treatment": Route("episode", P),
    "api-episode-medications": Route("episode", GP_, logs=True),
    "api-medication": Route("medication", D),
    "api-episode-medication-reviews": Route("episode", P),
    "api-episode-discharge": Route("episode", P),
    "api-episode-extension": Route("episode", P),
    "api-extension-decision": Route("extension", P),
    "api-episode-mdt-reviews": Route("episode", P),
    "care-group": Route("group", GP_, denied=ALL_BUT_LEAD - {"clinician"}),
    "care-episode": Route("episode", G, logs=True),
    "care-appointment-new": Route("episode", GP_, logs=True),
    "care-assessment": Route("episode", GP_, logs=True),
    "care-mh-referral": Route("episode", P),
    "care-careplan": Route("episode", GP_, logs=True),
    "care-careplan-print": Route("episode", G, logs=True),
    "care-careplan-share": Route("episode", GP_, logs=True),
    "care-treatment-started": Route("episode", GP_, logs=True),
    "care-medication-new": Route("episode", GP_, logs=True),
    "care-medication-review-new": Route("episode", GP_, logs=True),
    "care-discharge": Route("episode", GP_, logs=True),
    "care-extension": Route("episode", GP_, logs=True),
    "care-mdt-review": Route("episode", GP_, logs=True),
    "care-appointment-outcome": Route("appointment", GP_, logs=True),
    "care-dna-decision": Route("appointment", GP_, logs=True),
    "care-medication-stop": Route("medication", GP_, logs=True),
    "care-extension-decision": Route("extension", P),
    # Outcomes
    "api-episode-proms": Route("episode", GP_, logs=True),
    "outcomes:episode": Route("episode", G, logs=True),
    "outcomes:paper-return": Route("episode", GP_, logs=True),
    "outcomes:feedback-edit": Route("feedback", GP_, logs=True),
    "outcomes:questionnaire": Route("token", GP_, public=True, lead_status=None),
    # Reports: the drill-down is the service lead's; a data set is its commissioner's
    "reports-kpi-episodes": Route("kpi", G),
    "reports-mds-download": Route("mds", G),
    "reports-mds-submitted": Route("mds", P),
    # FHIR
    "api-fhir-patient": Route("patient", G, logs=True),
    "api-fhir-patient-everything": Route("patient", G, logs=True),
    "api-fhir-episodeofcare": Route("episode", G, logs=True),
    "api-fhir-servicerequest": Route("referral", G, logs=True),
    "api-fhir-careplan": Route("careplan", G, logs=True),
    "api-fhir-questionnaireresponse": Route("prom", G, logs=True),
    "api-fhir-appointment": Route("appointment", G, logs=True),
    "api-fhir-documentreference": Route("letter", G, logs=True),
    # Consent, carers, communication needs, safeguarding and incidents (staff only; commissioners get counts)
    "api-patient": Route("patient", ("GET", "PATCH"), logs=True),
    "api-patient-consents": Route("patient", GP_, logs=True),
    "api-patient-carers": Route("patient", GP_, logs=True),
    "api-episode-safeguarding": Route("episode", GP_, logs=True),
    "api-safeguarding-close": Route("concern", P),
    "api-episode-incidents": Route("episode", GP_, logs=True),
    "api-incident-review": Route("incident", P),
    # Programmes are the clinicians' (any of them may see a course; its roster is filtered per patient)
    "api-programme": Route("programme", G, denied=ALL_BUT_LEAD - {"clinician"}),
    "api-programme-enrol": Route("programme", P, denied=ALL_BUT_LEAD - {"clinician"}),
    "api-programme-attendance": Route("programme_session", P, denied=ALL_BUT_LEAD - {"clinician"}),
    "api-episode-programmes": Route("episode", G, logs=True),
    "api-enrolment-withdraw": Route("enrolment", P),
    "api-enrolment-follow-up": Route("enrolment", P),
    "api-episode-signposting": Route("episode", GP_, logs=True),
    "safeguarding-patient": Route("patient", G, logs=True),
    "safeguarding-communication": Route("patient", P),
    "safeguarding-consent": Route("patient", P),
    "safeguarding-carer": Route("patient", P),
    "safeguarding-episode": Route("episode", GP_, logs=True),
    "safeguarding-concern-close": Route("concern", P),
    "safeguarding-incident-review": Route("incident", P),
    "programme-detail": Route("programme", GP_, denied=ALL_BUT_LEAD - {"clinician"}),
    "programmes-episode": Route("episode", GP_, logs=True),
    "programmes-follow-up": Route("enrolment", P),
    "programmes-withdraw": Route("enrolment", P),
    # Signing in: a token is its owner's alone; the password-reset link needs no account
    "api-token-detail": Route("api_token", D),
    "accounts:token-revoke": Route("api_token", P),
    "accounts:password-reset-confirm": Route("reset", G, public=True, lead_status=None),
}

# Patterns that take a parameter but are out of scope here: Django's admin (staff accounts only,
# its own login and permissions).
OUT_OF_SCOPE_PREFIXES = ("admin/",)


def _walk(resolver, prefix="", namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p


def _has_parameter(route: str, pattern: URLPattern) -> bool:
    return bool(pattern.pattern.regex.groupindex) or bool(re.search(r"<\w+(:\w+)?>", route))


def id_taking_patterns() -> dict[str, str]:
    found = {}
    for route, name, pattern in _walk(get_resolver()):
        if route.startswith(OUT_OF_SCOPE_PREFIXES) or not _has_parameter(route, pattern):
            continue
        assert name, f"URL pattern {route!r} takes a parameter but has no name"
        found[name] = route
    return found


def test_every_id_taking_url_is_classified():
    patterns = id_taking_patterns()
    missing = sorted(set(patterns) - set(ROUTES))
    stale = sorted(set(ROUTES) - set(patterns))
    assert not missing, f"Classify these URL patterns in ROUTES (who may see what they show): {missing}"
    assert not stale, f"ROUTES lists URL names that no longer exist: {stale}"
    assert len(patterns) >= 70


# --- The world: one target record no role but the service lead may see -------------------------

TARGET_IDENTITY = {
    "given_name": "Zephyrine",
    "family_name": "Quarrington",
    "address": "7 Forbidden Row\nElsewhere",
    "postcode": "ZZ1 7QQ",
}


def forbidden_strings(patient) -> list[str]:
    """What must not appear in any response to a user who may not see the patient."""
    nhs = patient.nhs_number
    return [nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", "Zephyrine", "Quarrington", "Forbidden Row", "ZZ1 7QQ"]


def leaked(response, patient) -> list[str]:
    if response.streaming:
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    low = body.lower()
    return [s for s in forbidden_strings(patient) if s.lower() in low]


@pytest.fixture
def world(db, settings):
    own_practice = f.PracticeFactory()
    other_practice = f.PracticeFactory()
    team, other_team = f.TeamFactory(), f.TeamFactory()
    other_clinician = f.UserFactory(role=Role.CLINICIAN)
    other_team.members.add(other_clinician)
    users = {
        "clinician": f.UserFactory(role=Role.CLINICIAN),
        "spa_triage": f.UserFactory(role=Role.SPA_TRIAGE),
        "gp_practice": f.UserFactory(role=Role.GP_PRACTICE, practice=own_practice),
        "commissioner": f.UserFactory(role=Role.COMMISSIONER, commissioner=own_practice.commissioner),
        "admin": f.UserFactory(role=Role.ADMIN),
        "no_role": f.UserFactory(),
        "service_lead": f.UserFactory(role=Role.SERVICE_LEAD),
    }
    team.members.add(users["clinician"])

    # The target: another practice (of another commissioner), another team, discharged (so not SPA's either).
    assert other_practice.commissioner_id != own_practice.commissioner_id
    received = date(2026, 1, 5)
    episode = rf.episode(practice=other_practice, received_on=received, **TARGET_IDENTITY)
    referral = episode.referral
    attachment = ReferralAttachment(referral=referral, original_name="scan.pdf", content_type="application/pdf", size=8)
    attachment.file.save("scan.pdf", ContentFile(b"%PDF-1.4"), save=True)
    episode = rf.accept(episode, on=received + timedelta(days=10))
    episode.team, episode.responsible_clinician = other_team, other_clinician
    episode.save(update_fields=["team", "responsible_clinician"])
    appointment = rf.appointment(episode, kind="new", on=received + timedelta(days=20))
    plan = rf.care_plan(episode, shared=True)
    prom = rf.prom(episode, instrument="PSEQ", timepoint="entry", scores={"total": 20}, on=received)
    extension = rf.extension(episode, requested_by=other_clinician)
    feedback = rf.feedback(episode, kind="complaint", on=received)
    medication = MedicationLine.objects.create(
        episode=episode, drug="morphine", route="oral", ome_mg_per_day=20, started_on=received, review_due_on=received
    )
    letter = rf.discharge(episode, on=received + timedelta(days=60))
    rf.letter_sent(letter, timezone.now())
    episode.refresh_from_db()
    assert episode.state == EpisodeState.DISCHARGED
    invitation = PromInvitation.objects.create(
        episode=episode,
        timepoint="discharge",
        instruments=["PSEQ"],
        token_hash="0" * 64,
        due_on=received,
        expires_at=timezone.now() + timedelta(days=7),
    )
    group = GroupSession.objects.create(name="PMP", date=received, capacity=10, facilitator=other_clinician)
    concern = SafeguardingConcern.objects.create(
        episode=episode,
        subject="adult",
        category="neglect",
        description="d",
        action="a",
        raised_on=received,
        raised_by=other_clinician,
    )
    incident = Incident.objects.create(
        episode=episode, kind="other", severity="low", on=received, description="d", recorded_by=other_clinician
    )
    programme = Programme.objects.create(name="PMP", kind="pmp", mode="online", capacity=10, created_by=other_clinician)
    ProgrammeSession.objects.create(programme=programme, number=1, date=received, hours=3)
    enrolment = Enrolment.objects.create(
        programme=programme, episode=episode, status="enrolled", enrolled_by=other_clinician
    )
    data_set = MonthlyDataSet.objects.create(
        commissioner=other_practice.commissioner, month=date(2026, 1, 1), due_on=date(2026, 2, 15)
    )
    data_set.file.save("mds.csv", ContentFile(b"month\n"), save=True)
    reconciliation = DemographicsReconciliation.objects.create(
        patient=episode.patient, episode=episode, current={"given_name": "Zephyrine"}, proposed={"given_name": "Zeph"}
    )
    kwargs = {
        "patient": {"pk": episode.patient_id},
        "episode": {"pk": episode.pk},
        "episode_id": {"episode_id": episode.pk},
        "letter": {"pk": letter.pk},
        "referral": {"pk": referral.pk},
        "attachment": {"pk": referral.pk, "attachment_pk": attachment.pk},
        "appointment": {"pk": appointment.pk},
        "medication": {"pk": medication.pk},
        "extension": {"pk": extension.pk},
        "careplan": {"pk": plan.pk},
        "prom": {"pk": prom.pk},
        "feedback": {"pk": feedback.pk},
        "group": {"pk": group.pk},
        "mds": {"pk": data_set.pk},
        "reconciliation": {"pk": reconciliation.pk},
        "kpi": {"code": next(iter(KPI_BY_CODE))},
        "token": {"token": "not-a-real-token"},
        "concern": {"pk": concern.pk},
        "incident": {"pk": incident.pk},
        "programme": {"pk": programme.pk},
        "programme_session": {"pk": programme.pk, "number": 1},
        "enrolment": {"pk": enrolment.pk},
        "api_token": {"pk": api_token_issue(user=users["service_lead"])[0].pk},
        "reset": {"uidb64": "MQ", "token": "not-a-real-token"},
    }
    return {"users": users, "kwargs": kwargs, "episode": episode, "invitation": invitation}


def _url(world, name):
    return reverse(name, kwargs=world["kwargs"][ROUTES[name].obj])


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _request(client, method, url):
    if _is_api(url):
        return getattr(client, method.lower())(url, {}, format="json")
    return getattr(client, method.lower())(url, {})


def _client_for(user, url):
    return signed_in_client(user, url)


CASES = sorted(ROUTES)


@pytest.mark.parametrize("name", CASES)
def test_roles_that_may_not_see_the_object_get_404(world, name):
    spec = ROUTES[name]
    if spec.public:
        pytest.skip("no account: checked in test_patient_link_with_a_bad_token_is_not_found")
    url = _url(world, name)
    outcomes, leaks = {}, {}
    patient = world["episode"].patient
    for role in sorted(spec.denied):
        user = world["users"][role]
        for method in spec.methods:
            response = _request(_client_for(user, url), method, url)
            if response.status_code != 404:
                outcomes[(role, method)] = response.status_code
            if found := leaked(response, patient):
                leaks[(role, method)] = found
        refusals = RecordAccess.objects.filter(user=user, outcome=RecordAccess.Outcome.REFUSED)
        assert refusals.exists(), f"{url}: the refusal of {role} is not in the access audit"
    assert not outcomes, f"{url}: expected 404, got {outcomes}"
    assert not leaks, f"{url}: identifiers in the response: {leaks}"
    allowed = RecordAccess.objects.filter(outcome=RecordAccess.Outcome.ALLOWED)
    assert not allowed.exclude(user=world["users"]["service_lead"]).exists()


@pytest.mark.parametrize("name", CASES)
def test_anonymous_is_sent_to_sign_in_or_gets_401(world, client, api_client, name):
    spec = ROUTES[name]
    if spec.public:
        pytest.skip("the patient's link needs no account")
    url = _url(world, name)
    for method in spec.methods:
        if _is_api(url):
            response = _request(api_client, method, url)
            assert response.status_code == 401, (method, url, response.status_code)
        else:
            response = _request(client, method, url)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    assert not RecordAccess.objects.exists()


@pytest.mark.parametrize("name", [n for n in CASES if "GET" in ROUTES[n].methods and ROUTES[n].lead_status])
def test_permitted_read_is_logged(world, name):
    spec = ROUTES[name]
    lead = world["users"]["service_lead"]
    url = _url(world, name)
    response = _client_for(lead, url).get(url)
    assert response.status_code == spec.lead_status, (url, response.status_code)
    rows = list(RecordAccess.objects.filter(user=lead, outcome=RecordAccess.Outcome.ALLOWED))
    if spec.logs:
        assert rows, f"{url} shows a patient record but wrote no RecordAccess row"
        patient = world["episode"].patient
        for row in rows:
            assert row.patient_id == patient.pk
            assert row.path == url
            for secret in (patient.nhs_number, patient.family_name, patient.given_name):
                assert secret not in row.path
    else:
        assert not rows, f"{url} is not a patient record, yet wrote RecordAccess rows"


def test_patient_link_with_a_bad_token_is_not_found(world, client):
    for method in ("get", "post"):
        response = getattr(client, method)(_url(world, "outcomes:questionnaire"), {})
        assert response.status_code in (404, 410)
        assert "no-store" in response["Cache-Control"]
    assert not RecordAccess.objects.exists()


# --- A GP practice and its own patient: the referral, status and delivered letters, never the clinical record


# Routes where a GP practice gets 404 even for its own practice's patient, with the methods checked.
# (Elsewhere it may read; an action on an episode it may see is refused with 403, as the API documents.)
GP_OWN_NOT_FOUND: dict[str, tuple[str, ...]] = {
    **{n: ROUTES[n].methods for n in ROUTES if n.startswith(("care-", "outcomes:", "reports-"))},
    "outcomes:questionnaire": (),
    "triage-episode": GP_,
    "triage-clear-red-flag": P,
    "triage-send-red-flag": P,
    "triage-info-received": P,
    "api-episode-appointments": G,
    "api-episode-careplan": G,
    "api-episode-medications": G,
    "api-appointment-outcome": P,
    "api-appointment-dna-decision": P,
    "api-medication": D,
    "api-extension-decision": P,
    "api-fhir-careplan": G,
    "api-fhir-appointment": G,
    "api-patient": ("GET", "PATCH"),
    "api-patient-consents": GP_,
    "api-patient-carers": GP_,
    "api-episode-safeguarding": GP_,
    "api-episode-incidents": GP_,
    "api-episode-programmes": G,
    "api-episode-signposting": GP_,
    "safeguarding-patient": G,
    "safeguarding-communication": P,
    "safeguarding-consent": P,
    "safeguarding-carer": P,
    "safeguarding-episode": GP_,
    "programmes-episode": GP_,
}


@pytest.fixture
def gp_world(world):
    gp = world["users"]["gp_practice"]
    practice = gp.profile.practice
    received = date(2026, 3, 2)
    episode = rf.episode(practice=practice, received_on=received)
    episode = rf.accept(episode, on=received + timedelta(days=5))
    appointment = rf.appointment(episode, kind="new", on=received + timedelta(days=20))
    plan = rf.care_plan(episode, shared=True)
    extension = rf.extension(episode, requested_by=world["users"]["service_lead"])
    medication = MedicationLine.objects.create(
        episode=episode, drug="morphine", route="oral", ome_mg_per_day=20, started_on=received, review_due_on=received
    )
    kwargs = dict(world["kwargs"])
    kwargs.update(
        episode={"pk": episode.pk},
        appointment={"pk": appointment.pk},
        careplan={"pk": plan.pk},
        extension={"pk": extension.pk},
        medication={"pk": medication.pk},
    )
    return {"gp": gp, "kwargs": kwargs, "episode": episode}


@pytest.mark.parametrize("name", sorted(n for n, methods in GP_OWN_NOT_FOUND.items() if methods))
def test_gp_practice_never_sees_the_clinical_record_of_its_own_patients(gp_world, name):
    url = reverse(name, kwargs=gp_world["kwargs"][ROUTES[name].obj])
    client = _client_for(gp_world["gp"], url)
    got = {m: _request(client, m, url).status_code for m in GP_OWN_NOT_FOUND[name]}
    assert set(got.values()) == {404}, f"{url}: {got}"
    assert not RecordAccess.objects.filter(outcome=RecordAccess.Outcome.ALLOWED).exists()


def test_gp_own_not_found_lists_known_routes():
    assert set(GP_OWN_NOT_FOUND) <= set(ROUTES)


# --- Broken links in the data are 404, not 500


def test_episode_without_referral_is_404_on_the_triage_routes(world):
    from careplans.tests.factories import accepted_episode

    episode = accepted_episode()
    lead = world["users"]["service_lead"]
    for name in ("triage-episode", "triage-clear-red-flag", "api-episode-red-flag-clear"):
        url = reverse(name, kwargs={"pk": episode.pk})
        response = _request(_client_for(lead, url), "POST", url)
        assert response.status_code in (400, 404), (url, response.status_code)
    url = reverse("api-episode-red-flag-clear", kwargs={"pk": episode.pk})
    response = _client_for(lead, url).post(url, {"flag": "fracture", "reason": "x"}, format="json")
    assert response.status_code == 404


# --- Every route without a parameter, every role, reads and writes ------------------------------------
#
# Lists, searches, forms, queues and reports, read (searching for the other practice's patient by name)
# and written (posting that patient's NHS number), by every role but the service lead: no response may
# hold anything of that patient beyond the term the user sent. Sign-in, sign-out, the schema and the
# admin site (configuration; checked in test_patient_data_safety) are outside it.

# Health checks carry no data and answer 503 while a service (here MESH) is down: tested on their own.
UNPARAMETERISED_OUT_OF_SCOPE = (
    "admin/",
    "sign-in/",
    "sign-out/",
    "api/schema/",
    "api/docs/",
    "api/v1/auth/",
    "healthz",
    "readyz",
)


def unparameterised_urls() -> list[str]:
    return sorted(
        {
            "/" + route
            for route, _name, pattern in _walk(get_resolver())
            if not route.startswith(UNPARAMETERISED_OUT_OF_SCOPE) and not _has_parameter(route, pattern)
        }
    )


def test_unparameterised_routes_are_walked():
    urls = unparameterised_urls()
    assert len(urls) >= 30 and "/patients/" in urls and "/api/v1/referrals/" in urls


@pytest.mark.parametrize("url", unparameterised_urls())
def test_no_route_shows_a_role_anything_of_a_patient_it_may_not_see(world, url):
    patient = world["episode"].patient
    search = {"q": patient.family_name, "search": patient.family_name}
    write = {"nhs_number": patient.nhs_number, "reason": "Re-referral", "episode_id": world["episode"].pk}
    problems = {}
    for role, user in sorted(world["users"].items()):
        if role == "service_lead":
            continue
        client = _client_for(user, url)
        read = client.get(url, search)
        posted = client.post(url, write, format="json") if _is_api(url) else client.post(url, write)
        for method, response, sent in (("GET", read, patient.family_name), ("POST", posted, patient.nhs_number)):
            if response.status_code >= 500:
                problems[(role, method)] = response.status_code
            found = [s for s in leaked(response, patient) if s.replace(" ", "") != sent]
            if found:
                problems[(role, method)] = found
    assert not problems, f"{url}: {problems}"
    assert not RecordAccess.objects.filter(patient=patient, outcome=RecordAccess.Outcome.ALLOWED).exists()
