"""Safe by default, as found: DEBUG defaulted to on (a 500 returned a 230 KB debug page), SECRET_KEY to a
value in the repository, `check --deploy` reported W004, W008 and W019, and there was no CSP, HSTS,
Permissions-Policy or Cache-Control on patient pages."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from pathway.models import Role
from pathway.tests import factories as f

BASE = Path(settings.BASE_DIR)


def manage(*args, tmp_path, **env):
    # A clean deployment's environment: none of the flags the test run sets for itself.
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(PAINWAY_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=BASE, env=clean, capture_output=True, text=True, timeout=120
    )


def production_env():
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYM_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "painway.example",
    }


def test_debug_is_off_unless_set(tmp_path):
    shell = "from django.conf import settings; print(settings.DEBUG)"
    assert manage("shell", "-c", shell, tmp_path=tmp_path, **production_env()).stdout.strip().endswith("False")
    on = manage("shell", "-c", shell, tmp_path=tmp_path, DEBUG="true")
    assert on.stdout.strip().endswith("True")


@pytest.mark.parametrize("key", [None, "", "change-me", "dev-only-insecure-secret-key-change-me", "django-insecure-x"])
def test_refuses_to_start_with_debug_off_and_a_missing_or_default_secret_key(tmp_path, key):
    env = {} if key is None else {"SECRET_KEY": key}
    result = manage("check", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or a known default" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_send_csp_without_inline_script_hsts_referrer_and_permissions_policy(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    client.force_login(f.UserFactory(role=Role.CLINICIAN))
    page = client.get("/patients/", secure=True)
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "font-src 'self'" in csp
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["Referrer-Policy"] == "same-origin"
    assert "camera=()" in page["Permissions-Policy"] and "geolocation=()" in page["Permissions-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/patients/", "/api/v1/referrals/", "/sign-in/", "/api/v1/episodes/{id}/"])
def test_every_response_with_patient_data_says_no_store(url):
    user = f.UserFactory(role=Role.SERVICE_LEAD)
    episode = f.open_episode()
    client = Client()
    client.force_login(user)
    response = client.get(url.format(id=episode.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_are_cacheable_and_served_by_whitenoise(client):
    response = client.get("/static/js/painway.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_no_template_served_in_the_browser_has_inline_script_or_style():
    """CSP allows only the app's own files; letters are PDFs (WeasyPrint), not pages, and keep their CSS."""
    offenders = []
    for path in (BASE / "templates").rglob("*.html"):
        if "letters" in path.relative_to(BASE / "templates").parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(BASE)}: {pattern.pattern}")
    assert not offenders, offenders


def test_no_asset_is_requested_from_another_host():
    """NHS.UK frontend's CSS names fonts on an external host; the build leaves them out (Arial, the
    NHS.UK fallback, is used), so every request of a page stays with the app."""
    vendor = BASE / "static" / "vendor"
    if not vendor.exists():
        pytest.skip("static assets not built (make static)")
    offenders = []
    css = [
        Path(d) / n for d, _, names in os.walk(BASE / "static", followlinks=True) for n in names if n.endswith(".css")
    ]
    for path in [*css, *(BASE / "templates").rglob("*.html")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"url\(\s*['\"]?(https?:)?//", text) or re.search(
            r"<(link|script)[^>]+(href|src)=\"(https?:)?//", text
        ):
            offenders.append(str(path.relative_to(BASE)))
    assert not offenders, sorted(set(offenders))


def test_public_base_url_comes_from_the_environment(tmp_path):
    """As found: patient links pointed at http://127.0.0.1:8000 whatever the deployment."""
    shell = "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    env = {**production_env(), "PUBLIC_BASE_URL": "https://pain.example.nhs.uk/"}
    assert manage("shell", "-c", shell, tmp_path=tmp_path, **env).stdout.strip().endswith("https://pain.example.nhs.uk")


@pytest.mark.django_db
def test_the_link_sent_to_a_patient_starts_with_public_base_url(settings):
    from datetime import date

    from outcomes import services
    from outcomes.senders import LocmemSender
    from outcomes.tests.factories import accepted_episode

    settings.PUBLIC_BASE_URL = "https://pain.example.nhs.uk"
    settings.PROM_SENDER = "outcomes.senders.LocmemSender"
    LocmemSender.outbox = []
    invitation = services.prom_invitation_create(
        episode=accepted_episode(email="p@example.invalid"), timepoint="entry", today=date.today()
    )
    services.prom_invitation_send(invitation_id=invitation.pk)
    assert "https://pain.example.nhs.uk/outcomes/q/" in LocmemSender.outbox[-1].body
    assert "127.0.0.1" not in LocmemSender.outbox[-1].body


def test_compose_has_named_volumes_readiness_checks_and_no_default_secret_key():
    import yaml

    compose = yaml.safe_load((BASE / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"pgdata", "media", "meshdata"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "meshdata:/data/mesh" in services["mesh"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert "media:/data/var" in services[name]["volumes"], name
        assert services[name]["environment"]["PAINWAY_VAR_DIR"] == "/data/var"
        secret = services[name]["environment"]["SECRET_KEY"]
        assert secret.startswith("${SECRET_KEY:?") and "change-me" not in secret
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "gunicorn" in services["web"]["command"]
    requirements = (BASE / "requirements.txt").read_text(encoding="utf-8")
    assert "gunicorn==" in requirements and "whitenoise==" in requirements


def test_health_probes_are_not_redirected_to_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/patients/").status_code == 301


@pytest.mark.parametrize(
    ("url", "env", "kept"),
    [
        ("postgres://painway@db:5432/painway", {}, "60 True"),
        ("postgresql://painway@db:5432/painway", {"DB_CONN_MAX_AGE": "0"}, "0 True"),
        ("sqlite:///painway.sqlite3", {}, "0 True"),
    ],
)
def test_postgresql_connections_are_kept_between_requests_and_pinged_before_reuse(tmp_path, url, env, kept):
    """Opening a PostgreSQL connection for every request cost about 7 ms a request through gunicorn here
    (the episode page 61-68 ms p50 against 43-44 ms with connections kept)."""
    shell = (
        "from django.db import connection as c; d = c.settings_dict; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = manage("shell", "-c", shell, tmp_path=tmp_path, DATABASE_URL=url, **production_env(), **env)
    assert result.stdout.strip().splitlines()[-1] == kept, result.stderr
